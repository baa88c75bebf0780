/**
 * Fuzz target (Jazzer.js `fuzz(data)` convention) for decodeAdvert
 * (agent/vrrp/codec.ts). Throws only when the decoder throws (ParserThrew),
 * is slow, or returns something outside its contract (ContractError).
 * Input format: fuzz/targets/inputs.ts.
 */
import { decodeAdvert } from "../../agent/vrrp/codec.js";
import { checkDecodeResult, timed } from "../contracts.js";
import { slowMs } from "../config.js";
import { decodeAdvertCase } from "./inputs.js";

const budget = slowMs();

export function fuzz(data: Buffer): void {
  const input = decodeAdvertCase(data);
  const result = timed("decodeAdvert", budget, () => decodeAdvert(input));
  checkDecodeResult(input, result);
}
