/** Validation of trackProcesses (keepalived vrrp_track_process). */
import type { TrackProcessConfig } from "./types.js";
import type { Reader } from "./reader.js";
import { describe } from "./duration.js";

const MATCHES = ["exact", "partial", "initial"] as const;

export function readTrackProcesses(r: Reader, value: unknown, path: string): TrackProcessConfig[] | undefined {
  const list = r.list(value, path);
  if (list === undefined) return undefined;
  const out: TrackProcessConfig[] = [];
  list.forEach((raw, i) => {
    const p = `${path}[${i}]`;
    const o = r.object(raw, p, [
      "name",
      "process",
      "args",
      "argsMatch",
      "fullCommand",
      "weight",
      "reverse",
      "quorum",
      "quorumMax",
      "forkDelay",
      "terminateDelay",
    ]);
    if (o === undefined) return;
    const before = r.errors.length;
    const name = r.string(o["name"], `${p}.name`);
    if (name !== undefined && out.some((t) => t.name === name)) r.fail(`${p}.name`, `name "${name}" is used twice`);
    const process = r.string(o["process"], `${p}.process`);
    const fullCommand = o["fullCommand"] === undefined ? false : r.boolean(o["fullCommand"], `${p}.fullCommand`);
    const args = o["args"] === undefined ? undefined : readArgs(r, o["args"], `${p}.args`);
    const argsMatch =
      o["argsMatch"] === undefined
        ? "exact"
        : (MATCHES.find((m) => m === o["argsMatch"]) ??
          r.fail(`${p}.argsMatch`, `must be one of ${MATCHES.join(", ")}, got ${describe(o["argsMatch"])}`));
    if (o["argsMatch"] !== undefined && o["args"] === undefined)
      r.fail(`${p}.argsMatch`, "needs args (args: [] for a process without arguments)");
    const weight = o["weight"] === undefined ? 1 : r.integer(o["weight"], `${p}.weight`, -254, 254);
    const reverse = o["reverse"] === undefined ? false : r.boolean(o["reverse"], `${p}.reverse`);
    const quorum = o["quorum"] === undefined ? 1 : r.integer(o["quorum"], `${p}.quorum`, 0, 65535);
    const quorumMax = o["quorumMax"] === undefined ? undefined : r.integer(o["quorumMax"], `${p}.quorumMax`, 0, 65535);
    if (quorum !== undefined && quorumMax !== undefined && quorumMax < quorum)
      r.fail(`${p}.quorumMax`, `must not be less than quorum (${quorum}), got ${quorumMax}`);
    const forkDelayMs = o["forkDelay"] === undefined ? 0 : r.duration(o["forkDelay"], `${p}.forkDelay`);
    const terminateDelayMs = o["terminateDelay"] === undefined ? 0 : r.duration(o["terminateDelay"], `${p}.terminateDelay`);
    if (r.errors.length > before) return;
    out.push({
      name: name!,
      process: process!,
      ...(args !== undefined ? { args } : {}),
      argsMatch: argsMatch!,
      fullCommand: fullCommand!,
      weight: weight!,
      reverse: reverse!,
      quorum: quorum!,
      ...(quorumMax !== undefined ? { quorumMax } : {}),
      forkDelayMs: forkDelayMs!,
      terminateDelayMs: terminateDelayMs!,
    });
  });
  return out;
}

function readArgs(r: Reader, value: unknown, path: string): string[] | undefined {
  const list = r.list(value, path);
  if (list === undefined) return undefined;
  const out: string[] = [];
  list.forEach((a, i) => {
    if (typeof a !== "string") r.fail(`${path}[${i}]`, `must be a string, got ${describe(a)}`);
    else out.push(a);
  });
  return out.length === list.length ? out : undefined;
}
