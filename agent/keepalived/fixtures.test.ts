/**
 * Conversion goldens: each fixtures/NAME.conf is converted as `floatip
 * convert` does and compared with fixtures/NAME.out (the YAML, or the
 * errors, then the warnings). A fixture per keepalived keyword shows what
 * floatip makes of it; the field-*.conf fixtures are configs in the shapes
 * people run (docs/keepalived.md lists what they exercise). UPDATE_GOLDEN=1 rewrites the .out files (review the diff).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import type { IncludeIo } from "./lexer.js";
import { fileURLToPath } from "node:url";
import { parseKeepalivedConfig } from "./load.js";
import { parseYamlConfig } from "../config/load.js";
import { toYaml } from "./to-yaml.js";

const DIR = fileURLToPath(new URL("../../../agent/keepalived/fixtures/", import.meta.url));

/** The config id (`@lb1` lines count, `@^lb1` lines do not), as floatip --config-id lb1. */
const CONFIG_ID = "lb1";

/** Includes resolve inside the fixture directory (a fixture's files sit in NAME.d/). */
const fixtureIo: IncludeIo = {
  readFile: (path) => readFileSync(`${DIR}${path}`, "utf8"),
  listDir: (dir) => readdirSync(`${DIR}${dir}`),
};

/** What convert prints for a file, with the fixture directory left out of the paths. */
export function convertForGolden(name: string): string {
  const text = readFileSync(`${DIR}${name}.conf`, "utf8");
  const loaded = parseKeepalivedConfig(text, `${name}.conf`, fixtureIo, { lvs: "skip", showSecrets: true, configId: CONFIG_ID });
  const warnings = loaded.warnings.map((w) => `warning: ${w.path}: ${w.message}\n`).join("");
  if (!loaded.ok) return `${loaded.errors.map((e) => `error: ${e.path}: ${e.message}\n`).join("")}${warnings}`;
  return `${toYaml(loaded.config)}${warnings}`;
}

describe("keepalived conversion goldens (agent/keepalived/fixtures)", () => {
  const names = readdirSync(DIR)
    .filter((f) => f.endsWith(".conf"))
    .map((f) => f.slice(0, -".conf".length))
    .sort();
  it("has fixtures", () => assert.ok(names.length > 0));
  for (const name of names) {
    it(name, () => {
      const got = convertForGolden(name);
      const golden = `${DIR}${name}.out`;
      if (process.env["UPDATE_GOLDEN"] === "1") writeFileSync(golden, got);
      assert.ok(existsSync(golden), `no ${name}.out: run with UPDATE_GOLDEN=1 and review it`);
      assert.equal(got, readFileSync(golden, "utf8"));
      // The YAML reads back as the same config.
      const loaded = parseKeepalivedConfig(readFileSync(`${DIR}${name}.conf`, "utf8"), `${name}.conf`, fixtureIo, {
        lvs: "skip",
        configId: CONFIG_ID,
      });
      if (!loaded.ok) return;
      const back = parseYamlConfig(toYaml(loaded.config), "out.yaml");
      assert.ok(back.ok, JSON.stringify(!back.ok && back.errors));
      assert.deepEqual(back.config, loaded.config);
    });
  }
});
