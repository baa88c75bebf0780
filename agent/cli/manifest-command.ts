/**
 * `floatip manifest control-plane ...`: writes the static pod manifest that
 * runs the agent for the Kubernetes API server's VIP (see
 * control-plane-manifest.ts). On any flag error nothing is written.
 */
import { rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { PUBLISHED_IMAGE, readBuildInfo } from "../../base/build-info.js";
import { parseArgs } from "../../base/args.js";
import { buildControlPlaneManifest, DEFAULT_CA_FILE, DEFAULTS, formatManifest, type ControlPlaneFlags } from "./control-plane-manifest.js";

export const MANIFEST_USAGE = `usage: floatip manifest control-plane --address A --interface I [options]

Writes a static pod manifest (kube-system, hostNetwork) that runs the floatip
agent standalone on a control-plane node: it holds the API server's VIP by
VRRP between the control-plane nodes, without needing the API server, and
gives it up while the local kube-apiserver's /readyz fails. Put it in
/etc/kubernetes/manifests on every control-plane node (docs/control-plane.md).

options:
  --address A               the VIP (CIDR or address; default prefix /32 or /128)
  --interface I             the node's interface for the VIP and VRRP
  --peers P1,P2             the other control-plane nodes' addresses: VRRPv3 unicast
                            (default: multicast to 224.0.0.18 / ff02::12)
  --source S                unicast source address (default: the interface's first address)
  --priority N              1..255 (default ${DEFAULTS.priority}); give each node its own
  --vrid N                  virtual router ID 1..255 (default ${DEFAULTS.vrid}; the controller hands out VRIDs from 1 up)
  --advert-interval D       VRRPv3 advert interval, 10ms..40.95s (default ${DEFAULTS.advertInterval})
  --image IMG               the floatip image (default ghcr.io/floatip/floatip:<this version>)
  --apiserver-address A     where the local kube-apiserver listens (default ${DEFAULTS.apiserverAddress})
  --apiserver-port N        its port (default ${DEFAULTS.apiserverPort})
  --apiserver-ca FILE       CA to verify it with, mounted from the host (default ${DEFAULT_CA_FILE});
                            the certificate is checked for the name "kubernetes"
  --insecure-skip-verify    do not verify the API server's certificate (no CA mount)
  --check-interval D        /readyz probe interval (default ${DEFAULTS.checkInterval}; the timeout is the same)
  --check-fall N            failed probes before the node gives up the VIP (default ${DEFAULTS.checkFall})
  --check-rise N            good probes before it may hold it again (default ${DEFAULTS.checkRise})
  --check-weight N          0 (default): FAULT while /readyz fails; -253..253: keepalived weight instead
  --metrics-port N          /metrics, /healthz, /readyz, /state on 127.0.0.1:N (default ${DEFAULTS.metricsPort})
  --name NAME               pod name (default ${DEFAULTS.name}; the kubelet appends the node name)
  --out FILE                write here (atomically) instead of stdout

Exit codes: 0 written, 2 on bad usage or a flag error (nothing written).`;

export interface ManifestIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Writes the whole file so that a reader never sees part of it. */
  readonly writeFileAtomic: (path: string, text: string) => Promise<void>;
  /** The default image, floatip:<package version>. */
  readonly defaultImage: () => Promise<string>;
}

export const systemManifestIo: ManifestIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  async writeFileAtomic(path, text) {
    // A dot-file in the same directory: the kubelet ignores hidden files in its manifest directory.
    const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
    try {
      await writeFile(temp, text, { mode: 0o600 });
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  },
  async defaultImage() {
    return `${PUBLISHED_IMAGE}:${readBuildInfo().version}`;
  },
};

const VALUE_FLAGS = [
  "address",
  "interface",
  "peers",
  "source",
  "priority",
  "vrid",
  "advert-interval",
  "image",
  "apiserver-address",
  "apiserver-port",
  "apiserver-ca",
  "check-interval",
  "check-fall",
  "check-rise",
  "check-weight",
  "metrics-port",
  "name",
  "out",
] as const;

export async function runManifestCommand(argv: readonly string[], io: ManifestIo = systemManifestIo): Promise<number> {
  const usageError = (message: string): number => {
    io.stderr(`floatip manifest: ${message}\n\n${MANIFEST_USAGE}\n`);
    return 2;
  };
  const args = parseArgs(argv, [
    ...VALUE_FLAGS.map((name) => ({ name, takesValue: true })),
    { name: "insecure-skip-verify", takesValue: false },
  ]);
  if (!args.ok) return usageError(args.message);
  if (args.positional[0] !== "control-plane" || args.positional.length !== 1) {
    return usageError(
      args.positional.length === 0
        ? "say which manifest: control-plane"
        : `unknown manifest "${args.positional.join(" ")}" (known: control-plane)`,
    );
  }
  const flag = (name: (typeof VALUE_FLAGS)[number]) => {
    const v = args.flags.get(name);
    return typeof v === "string" ? v : undefined;
  };
  const flags: ControlPlaneFlags = {
    address: flag("address"),
    interface: flag("interface"),
    peers: flag("peers"),
    source: flag("source"),
    priority: flag("priority"),
    vrid: flag("vrid"),
    advertInterval: flag("advert-interval"),
    image: flag("image") ?? (await io.defaultImage()),
    apiserverAddress: flag("apiserver-address"),
    apiserverPort: flag("apiserver-port"),
    apiserverCa: flag("apiserver-ca"),
    insecureSkipVerify: args.flags.get("insecure-skip-verify") === true,
    checkInterval: flag("check-interval"),
    checkFall: flag("check-fall"),
    checkRise: flag("check-rise"),
    checkWeight: flag("check-weight"),
    metricsPort: flag("metrics-port"),
    name: flag("name"),
  };
  const result = buildControlPlaneManifest(stripUndefined(flags));
  if (!result.ok) {
    io.stderr(result.errors.map((e) => `floatip manifest: ${e.flag}: ${e.message}\n`).join(""));
    return 2;
  }
  const text = formatManifest(result.manifest.pod, commandLine(argv));
  const out = flag("out");
  if (out === undefined) {
    io.stdout(text);
    return 0;
  }
  try {
    await io.writeFileAtomic(out, text);
  } catch (error) {
    io.stderr(`floatip manifest: --out ${out}: ${(error as Error).message}\n`);
    return 1;
  }
  io.stderr(`wrote ${out}\n`);
  return 0;
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** The command line for the manifest's header comment, one line, arguments quoted where needed. */
function commandLine(argv: readonly string[]): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/[\r\n]/g, " ").replace(/'/g, "'\\''")}'`);
  return ["floatip", "manifest", ...argv.map(quote)].join(" ");
}
