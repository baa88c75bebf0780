// The static pod that `floatip manifest control-plane` writes, validated as a Pod against
// client-node's Kubernetes models (the same validator as the chart's objects).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import yaml from "js-yaml";
import { runManifestCommand, type ManifestIo } from "../../agent/cli/manifest-command.js";
import { validate } from "./k8s-schema.js";

async function generate(argv: readonly string[]): Promise<Record<string, unknown>> {
  let stdout = "";
  let stderr = "";
  const io: ManifestIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    writeFileAtomic: async () => undefined,
    defaultImage: async () => "floatip:0.1.0",
  };
  assert.equal(await runManifestCommand(["control-plane", ...argv], io), 0, stderr);
  return yaml.load(stdout) as Record<string, unknown>;
}

const variants: readonly (readonly string[])[] = [
  ["--address", "192.0.2.10", "--interface", "eth0"],
  [
    "--address",
    "192.0.2.10/24",
    "--interface",
    "eth0",
    "--peers",
    "192.0.2.12,192.0.2.13",
    "--priority",
    "150",
    "--vrid",
    "51",
    "--advert-interval",
    "100ms",
  ],
  ["--address", "2001:db8::10", "--interface", "ens3", "--insecure-skip-verify", "--apiserver-address", "::1", "--check-weight", "-60"],
];

describe("control-plane static pod against the Kubernetes Pod schema", () => {
  for (const argv of variants) {
    it(`is a valid Pod: ${argv.join(" ")}`, async () => {
      const pod = await generate(argv);
      assert.deepEqual(validate(pod), []);
    });
  }

  it("the validator does reject a broken Pod (so the check above can fail)", async () => {
    const pod = await generate(variants[0]!);
    const spec = pod["spec"] as Record<string, unknown>;
    const broken: Record<string, unknown> = {
      ...pod,
      spec: { ...spec, hostNetwork: "yes", containers: [{ ...(spec["containers"] as object[])[0], capabilites: {} }] },
    };
    assert.deepEqual(validate(broken).sort(), [
      ".spec.containers[0].capabilites: unknown field in V1Container",
      '.spec.hostNetwork: expected boolean, got string "yes"',
    ]);
  });
});
