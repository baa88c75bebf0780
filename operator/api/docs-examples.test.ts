/**
 * Every config example in README.md, docs/ and examples/ is validated the
 * way floatip reads it, so none can drift from the code (issue 16 item 8):
 * floatip agent YAML by validateAgentConfig (a fragment that leaves out an
 * instance's required fields with "# ..." gets them filled in), VirtualIP and
 * VirtualIPPool resources by the operator's validators, LoadBalancer
 * Services of floatip's class as the controller reads them, keepalived.conf
 * examples by the keepalived loader. Other Kubernetes kinds (Deployment,
 * Secret, other Services) are not floatip's to check.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import yaml from "js-yaml";
import { expandPeerSets } from "../../agent/kube/peer-sets.js";
import { validateAgentConfig } from "../../agent/config/validate.js";
import { parseKeepalivedConfig } from "../../agent/keepalived/load.js";
import { validateVirtualIPSpec } from "./validate-virtualip.js";
import { validatePoolSpec } from "./validate-pool.js";
import { readService } from "../lb/service.js";
import { readExternalIPsService } from "../lb/external-ips.js";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));

interface Example {
  readonly where: string;
  readonly lang: string;
  readonly text: string;
}

/** The fenced code blocks of a markdown file, with the line they start on. */
function fenced(file: string): Example[] {
  const lines = readFileSync(join(REPO, file), "utf8").split("\n");
  const out: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\S*)\s*$/.exec(lines[i]!);
    if (open === null) continue;
    const indent = open[1]!.length;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]!); j++) body.push(lines[j]!.slice(indent));
    out.push({ where: `${file}:${i + 1}`, lang: open[2]!, text: body.join("\n") + "\n" });
    i = j;
  }
  return out;
}

const MARKDOWN = [
  "README.md",
  ...readdirSync(join(REPO, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];
const EXAMPLES = readdirSync(join(REPO, "examples")).map((f) => `examples/${f}`);

type Obj = Record<string, unknown>;
const REQUIRED = { interface: "eth0", virtualRouterId: 51, addresses: ["192.0.2.5/24"] };

/** An agent config fragment ("# ..." for the rest of an instance) with the required instance fields filled in. */
function completed(doc: Obj, fragment: boolean): Obj {
  if (!fragment || !Array.isArray(doc["instances"])) return doc;
  return { ...doc, instances: (doc["instances"] as Obj[]).map((i) => ({ ...REQUIRED, ...i })) };
}

/** The errors of one YAML document, or why it is not floatip's to check. */
function checkDocument(doc: unknown, fragment: boolean): string[] | "not floatip's" {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return ["not a mapping"];
  const o = doc as Obj;
  if (typeof o["kind"] === "string") {
    const spec = o["spec"];
    if (o["kind"] === "VirtualIP") return report(validateVirtualIPSpec(spec));
    if (o["kind"] === "VirtualIPPool") return report(validatePoolSpec(spec));
    if (o["kind"] === "VRRPNode") {
      // As the agent reads it: peer sets resolved, a left-out interface filled in (here eth0).
      const peers = expandPeerSets(spec);
      if (peers.errors.length > 0) return report({ ok: false, errors: peers.errors });
      const read = peers.doc as Obj;
      const instances = Array.isArray(read["instances"])
        ? (read["instances"] as Obj[]).map((i) => ({ interface: "eth0", ...i }))
        : read["instances"];
      return report(validateAgentConfig({ ...read, instances }, { kubernetes: true }));
    }
    if (o["kind"] === "Service") {
      const read = readService(doc, { defaultClass: false });
      if (read.kind === "ignored") {
        const external = readExternalIPsService(doc);
        if (external.kind === "ignored") return "not floatip's";
        return external.kind === "invalid" ? report({ ok: false, errors: external.errors }) : [];
      }
      return read.kind === "invalid" ? report(read) : [];
    }
    return "not floatip's";
  }
  if (["instances", "scripts", "httpChecks", "trackFiles"].some((k) => k in o)) return report(validateAgentConfig(completed(o, fragment)));
  return ["neither a floatip agent config nor a Kubernetes resource"];
}

type Problem = { readonly path: string; readonly message: string } | { readonly field: string; readonly message: string };

function report(
  result: { readonly ok: true } | { readonly ok: false; readonly errors: readonly Problem[] } | { readonly errors: readonly Problem[] },
): string[] {
  if (!("errors" in result)) return [];
  return result.errors.map((e) => `${"path" in e ? e.path : e.field}: ${e.message}`);
}

function checkYaml(example: Example): { errors: string[]; checked: number } {
  const docs = yaml.loadAll(example.text, undefined, { schema: yaml.CORE_SCHEMA }).filter((d) => d !== null && d !== undefined);
  const fragment = /^\s*# \.\.\.\s*$/m.test(example.text);
  let checked = 0;
  const errors: string[] = [];
  for (const doc of docs) {
    const result = checkDocument(doc, fragment);
    if (result === "not floatip's") continue;
    checked++;
    errors.push(...result);
  }
  return { errors, checked };
}

describe("config examples in the docs are valid", () => {
  const blocks = MARKDOWN.flatMap(fenced);
  for (const example of blocks.filter((b) => b.lang === "yaml")) {
    it(`${example.where} (yaml)`, () => {
      const { errors, checked } = checkYaml(example);
      assert.deepEqual(errors, []);
      assert.ok(checked > 0, "no floatip config in the block");
    });
  }
  for (const example of blocks.filter(
    (b) => b.lang === "keepalived" || (/^\s*(vrrp_instance|global_defs)\b/m.test(b.text) && b.lang === ""),
  )) {
    it(`${example.where} (keepalived.conf)`, () => {
      const result = parseKeepalivedConfig(example.text, example.where);
      assert.deepEqual(result.ok ? [] : result.errors, []);
    });
  }
  for (const file of EXAMPLES.filter((f) => f.endsWith(".yaml"))) {
    it(file, () => {
      const { errors, checked } = checkYaml({ where: file, lang: "yaml", text: readFileSync(join(REPO, file), "utf8") });
      assert.deepEqual(errors, []);
      assert.ok(checked > 0, "no floatip resource in the file");
    });
  }
});
