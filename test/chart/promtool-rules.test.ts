// The chart's alerts as Prometheus reads them: `promtool check rules` on the PrometheusRule's groups,
// per-alert severities, and a runbook_url for each that points at a section of docs/runbook.md.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import yaml from "js-yaml";
import { promtool } from "../prom/promtool.js";
import { REPO, at, ciValues, one, render, type KubeObject } from "./helm.js";

type Rule = { alert: string; expr: string; labels: Record<string, string>; annotations: Record<string, string> };

const rulesOf = (objects: KubeObject[]): Rule[] =>
  (at(one(objects, "PrometheusRule"), "spec", "groups") as Array<{ rules: Rule[] }>).flatMap((g) => g.rules);

/** GitHub's anchor of a Markdown heading (lower case, spaces to dashes, punctuation dropped). */
const anchor = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, "")
    .replace(/ /g, "-");

describe("alerts", () => {
  const dir = mkdtempSync(join(tmpdir(), "floatip-promtool-rules-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const values of [
    ["prometheusrule-only", ["--set-json", "monitoring.prometheusRule.enabled=true"]],
    ["monitoring-values.yaml", []],
    ["podmonitor-values.yaml", []],
  ] as const) {
    test(`promtool check rules accepts the rendered rules (${values[0]})`, async () => {
      const objects = await render(values[1].length > 0 ? { extraArgs: values[1] } : { values: [ciValues(values[0])] });
      const groups = at(one(objects, "PrometheusRule"), "spec", "groups");
      const file = join(dir, `${values[0]}.rules.yaml`);
      writeFileSync(file, yaml.dump({ groups }));
      const r = await promtool(["check", "rules", file]);
      assert.equal(r.code, 0, r.output);
      assert.match(r.output, /SUCCESS: 12 rules found/);
    });
  }

  test("each alert has its own severity (critical when addresses are unreachable or doubled) and values can change one", async () => {
    const defaults = rulesOf(await render({ extraArgs: ["--set-json", "monitoring.prometheusRule.enabled=true"] }));
    const severity = Object.fromEntries(defaults.map((r) => [r.alert, r.labels["severity"]]));
    assert.deepEqual(severity, {
      FloatipNoMaster: "critical",
      FloatipMultipleMasters: "critical",
      FloatipVirtualIPConflict: "warning",
      FloatipVirtualIPInvalid: "warning",
      FloatipVirtualIPNoEligibleNode: "critical",
      FloatipVRRPNodeConfigRejected: "warning",
      FloatipPoolExhausted: "warning",
      FloatipNetworkConflict: "critical",
      FloatipAgentDown: "warning",
      FloatipFlapping: "warning",
      FloatipControllerNoLeader: "warning",
      FloatipControllerWritesFailing: "warning",
    });
    const changed = rulesOf(await render({ values: [ciValues("monitoring-values.yaml")] }));
    assert.equal(changed.find((r) => r.alert === "FloatipFlapping")?.labels["severity"], "critical");
    assert.equal(changed.find((r) => r.alert === "FloatipAgentDown")?.labels["severity"], "warning", "the others keep their defaults");
  });

  test("every runbook_url points at a section of docs/runbook.md (this release's on GitHub by default)", async () => {
    const headings = new Set([...readFileSync(join(REPO, "docs", "runbook.md"), "utf8").matchAll(/^## (.+)$/gm)].map((m) => anchor(m[1]!)));
    const rules = rulesOf(await render({ extraArgs: ["--set-json", "monitoring.prometheusRule.enabled=true"] }));
    const version = (yaml.load(readFileSync(join(REPO, "charts", "floatip", "Chart.yaml"), "utf8")) as { appVersion: string }).appVersion;
    for (const r of rules) {
      const url = r.annotations["runbook_url"] ?? "";
      assert.equal(url, `https://github.com/floatip/floatip/blob/v${version}/docs/runbook.md#${r.alert.toLowerCase()}`, r.alert);
      assert.ok(headings.has(url.slice(url.indexOf("#") + 1)), `docs/runbook.md has a section "## ${r.alert}"`);
    }
    assert.equal(headings.size, rules.length, "one runbook section per alert, no more");
    const own = rulesOf(await render({ values: [ciValues("monitoring-values.yaml")] }));
    assert.equal(own[0]!.annotations["runbook_url"], `https://runbooks.example.com/floatip.md#${own[0]!.alert.toLowerCase()}`);
  });
});
