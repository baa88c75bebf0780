/**
 * Fuzz target (Jazzer.js `fuzz(data)` convention) for parseKeepalivedConfig
 * (agent/keepalived/load.ts) with the in-memory include io
 * (agent/keepalived/fake-io.ts). The input is one or more NUL-separated
 * files (fuzz/targets/inputs.ts).
 *
 * Besides the result contract, include expansion must stay bounded: the io
 * allows READ_BUDGET file reads per call (then refuses, which the lexer
 * reports as "cannot read" and which stops the expansion), and going over
 * the budget is reported as a blow-up.
 */
import { parseKeepalivedConfig } from "../../agent/keepalived/load.js";
import { fakeIo } from "../../agent/keepalived/fake-io.js";
import type { IncludeIo } from "../../agent/keepalived/lexer.js";
import { ContractError, checkLoadResult, keepalivedPaths, timed } from "../contracts.js";
import { slowMs } from "../config.js";
import { KEEPALIVED_MAIN, decodeKeepalivedCase } from "./inputs.js";

/** File reads allowed per parse; a config of a few dozen files needs far fewer. */
export const READ_BUDGET = 1000;

const budget = slowMs();

/** fakeIo that counts reads and refuses them past `limit`. */
export function budgetedIo(files: Readonly<Record<string, string>>, limit = READ_BUDGET): IncludeIo & { readonly reads: () => number } {
  const io = fakeIo(files);
  let reads = 0;
  return {
    readFile(path) {
      reads++;
      if (reads > limit) throw new Error(`fuzz read budget of ${limit} exhausted`);
      return io.readFile(path);
    },
    listDir: (dir) => io.listDir(dir),
    reads: () => reads,
  };
}

export function fuzz(data: Buffer): void {
  const files = decodeKeepalivedCase(data);
  const io = budgetedIo(files);
  const result = timed("parseKeepalivedConfig", budget, () => parseKeepalivedConfig(files[KEEPALIVED_MAIN]!, KEEPALIVED_MAIN, io));
  if (io.reads() > READ_BUDGET) {
    throw new ContractError(
      `include expansion of ${Object.keys(files).length} file(s) asked for more than ${READ_BUDGET} file reads (${io.reads()} attempts before it stopped)`,
    );
  }
  checkLoadResult(result, keepalivedPaths(files));
}
