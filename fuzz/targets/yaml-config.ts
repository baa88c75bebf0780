/**
 * Fuzz target (Jazzer.js `fuzz(data)` convention) for parseYamlConfig
 * (agent/config/load.ts): the input is the YAML text.
 */
import { parseYamlConfig } from "../../agent/config/load.js";
import { checkLoadResult, timed, yamlPaths } from "../contracts.js";
import { slowMs } from "../config.js";
import { YAML_FILE } from "./inputs.js";

const budget = slowMs();
const paths = yamlPaths(YAML_FILE);

export function fuzz(data: Buffer): void {
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("utf8");
  const result = timed("parseYamlConfig", budget, () => parseYamlConfig(text, YAML_FILE));
  checkLoadResult(result, paths);
}
