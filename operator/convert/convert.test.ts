/**
 * `floatip convert --from metallb | keepalived-operator | kube-vip`: golden
 * output for realistic inputs (operator/convert/fixtures/NAME.yaml →
 * NAME.out.yaml on stdout, NAME.err.txt on stderr). Run with
 * UPDATE_GOLDEN=1 to rewrite the goldens after a deliberate change, then
 * read the diff.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import yaml from "js-yaml";
import { runConvertCommand, type ConvertIo } from "../../cli/convert-command.js";
import { fakeIo } from "../../agent/keepalived/fake-io.js";
import { validatePoolSpec } from "../api/validate-pool.js";

const dir = new URL("../../../operator/convert/fixtures/", import.meta.url);
const read = (name: string) => readFileSync(new URL(name, dir), "utf8");

async function run(argv: readonly string[], files: Record<string, string>) {
  let stdout = "";
  let stderr = "";
  const io: ConvertIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), files: fakeIo(files) };
  const code = await runConvertCommand(argv, io);
  return { code, stdout, stderr };
}

const CASES: [string, string][] = [
  ["metallb", "metallb-crds"],
  ["metallb", "metallb-configmap"],
  ["keepalived-operator", "keepalived-operator"],
  ["kube-vip", "kube-vip"],
];

describe("floatip convert --from (golden)", () => {
  for (const [from, name] of CASES) {
    it(`--from ${from} ${name}.yaml`, async () => {
      const out = await run(["--from", from, `${name}.yaml`], { [`${name}.yaml`]: read(`${name}.yaml`) });
      if (process.env["UPDATE_GOLDEN"] === "1") {
        writeFileSync(new URL(`${name}.out.yaml`, dir), out.stdout);
        writeFileSync(new URL(`${name}.err.txt`, dir), out.stderr);
      }
      assert.equal(out.code, 0, out.stderr);
      assert.equal(out.stdout, read(`${name}.out.yaml`));
      assert.equal(out.stderr, read(`${name}.err.txt`));
      for (const doc of yaml.loadAll(out.stdout) as { kind: string; spec: unknown }[]) {
        assert.equal(doc.kind, "VirtualIPPool");
        assert.ok(validatePoolSpec(doc.spec).ok);
      }
    });
  }

  it("MetalLB: an invalid pool is an error naming the pool and field; nothing is printed", async () => {
    const bad =
      "apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: p, namespace: metallb-system}\nspec:\n  addresses: [192.0.2.300/32]\n---\napiVersion: metallb.io/v1beta1\nkind: L2Advertisement\nmetadata: {name: l2, namespace: metallb-system}\n";
    const out = await run(["--from", "metallb", "bad.yaml"], { "bad.yaml": bad });
    assert.equal(out.code, 2);
    assert.equal(out.stdout, "");
    assert.match(
      out.stderr,
      /^bad\.yaml: VirtualIPPool p \(from IPAddressPool metallb-system\/p, announced by L2Advertisement metallb-system\/l2\): spec\.addresses\[0\]: must be a CIDR/m,
    );
  });

  it("bad usage: an unknown source, --to with --from, unreadable YAML", async () => {
    assert.match(
      (await run(["--from", "cilium", "x.yaml"], {})).stderr,
      /--from must be one of keepalived, metallb, keepalived-operator, kube-vip, got "cilium"/,
    );
    assert.match((await run(["--from", "metallb", "--to", "virtualip", "x.yaml"], {})).stderr, /--to applies to --from keepalived only/);
    const broken = await run(["--from", "kube-vip", "x.yaml"], { "x.yaml": "a: [1\n" });
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /^x\.yaml: not YAML: /);
  });
});
