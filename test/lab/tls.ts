/**
 * A throw-away certificate authority for tests: a CA and a server
 * certificate for the names kubeadm always puts on kube-apiserver's
 * certificate (kubernetes, kubernetes.default), made with the openssl
 * command line in a temporary directory. The certificates live two days.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

export interface TestPki {
  readonly dir: string;
  /** PEM file of the CA (what the agent is told to trust). */
  readonly caFile: string;
  readonly serverCert: string;
  readonly serverKey: string;
  /** Another CA's certificate: trusting it must fail verification. */
  readonly otherCaFile: string;
  cleanup(): Promise<void>;
}

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

export async function createTestPki(names: readonly string[] = ["kubernetes", "kubernetes.default"]): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), "floatip-pki-"));
  const at = (name: string) => join(dir, name);
  const openssl = (args: readonly string[]) => execFileAsync("openssl", args, { cwd: dir, timeout: 20_000 });
  try {
    await openssl(["req", "-x509", ...EC, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=floatip-test-ca"]);
    await openssl(["req", "-x509", ...EC, "-keyout", "other.key", "-out", "other.crt", "-days", "2", "-subj", "/CN=floatip-other-ca"]);
    await openssl(["req", ...EC, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=kube-apiserver"]);
    await writeFile(at("ext.cnf"), `subjectAltName=${names.map((n) => `DNS:${n}`).join(",")}\n`);
    await openssl([
      "x509",
      "-req",
      "-in",
      "server.csr",
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      "server.crt",
      "-days",
      "2",
      "-extfile",
      "ext.cnf",
    ]);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    dir,
    caFile: at("ca.crt"),
    serverCert: await readFile(at("server.crt"), "utf8"),
    serverKey: await readFile(at("server.key"), "utf8"),
    otherCaFile: at("other.crt"),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
