/**
 * What `floatip convert --from metallb | keepalived-operator | kube-vip`
 * prints is accepted by the API server: each golden output
 * (operator/convert/fixtures/*.out.yaml, produced from the realistic inputs
 * beside them) goes through `kubectl apply` onto the API test server with
 * floatip's CRDs, CEL rules included.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { TestApiServer, startTestApiServer } from "./server.js";
import { kubectl } from "./tools.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const fixtures = root + "operator/convert/fixtures/";
const outputs = readdirSync(fixtures)
  .filter((f) => f.endsWith(".out.yaml"))
  .sort();

describe("converted VirtualIPPools on the API test server", () => {
  let server: TestApiServer;
  before(async () => {
    server = await startTestApiServer({ crds: [root + "crds/virtualippool.yaml"] });
  });
  after(() => server.close());

  it("there are goldens to apply", () =>
    assert.deepEqual(outputs, [
      "keepalived-operator.out.yaml",
      "kube-vip.out.yaml",
      "metallb-configmap.out.yaml",
      "metallb-crds.out.yaml",
    ]));
  for (const file of outputs) {
    it(`kubectl apply -f ${file}`, async () => {
      const out = await kubectl(server, ["apply", "-f", fixtures + file]);
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stdout, /virtualippool\.floatip\.io\/\S+ created/);
      assert.deepEqual([...server.unsupportedValidations], []);
    });
  }
  it("the MetalLB pools keep their selectors", async () => {
    const staging = server.store.get("virtualippools", "staging") as { spec: Record<string, unknown> } | undefined;
    assert.deepEqual(staging?.spec["nodeSelector"], {
      matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: ["worker-a", "worker-b"] }],
    });
    assert.equal(staging?.spec["autoAssign"], false);
  });
});
