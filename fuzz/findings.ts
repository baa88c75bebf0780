/**
 * Open findings (details and reproducers: fuzz/findings/README.md). While a
 * finding is open, the broad properties and the byte-level driver count
 * inputs that hit it instead of failing on them, so they keep looking for
 * new problems; the focused property and the reproducer of each finding run
 * as todo. When a parser fix lands, delete its entry here: everything that
 * hit it then fails again if the fix is incomplete. Fixed so far: F1, F3, F5
 * (commit 6ca1aaa); their reproducers stay in fuzz/findings/ as regression tests.
 */
import { ContractError } from "./contracts.js";

export type TargetName = "decode-advert" | "keepalived-config" | "yaml-config";

export interface OpenFinding {
  readonly id: string;
  readonly target: TargetName;
  readonly summary: string;
  /** Whether an error a target threw for `data` is this finding. */
  readonly matches: (error: unknown, data: Uint8Array) => boolean;
}

const text = (data: Uint8Array): string => Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("utf8");

export const OPEN_FINDINGS: readonly OpenFinding[] = [
  {
    id: "F6",
    target: "yaml-config",
    summary: "parseYamlConfig: validation cost is cubic in the number of aliases (instances × matchExpressions × values, instances × matchLabels²; agent/config/validate-tracking.ts readSelector)",
    matches: (e, data) => e instanceof ContractError && / took \d+ ms/.test(e.message) && (text(data).match(/\*[A-Za-z_][\w-]*/g)?.length ?? 0) >= 100,
  },
];

export function openFinding(target: TargetName, error: unknown, data: Uint8Array): OpenFinding | undefined {
  return OPEN_FINDINGS.find((f) => f.target === target && f.matches(error, data));
}

/** Hits of open findings, per id, counted by `tolerateOpen`. */
export const openHits = new Map<string, number>();

/** A target that lets inputs hitting an open finding pass (counted in openHits). */
export function tolerateOpen(target: TargetName, fuzz: (data: Buffer) => void): (data: Buffer) => void {
  return (data) => {
    try {
      fuzz(data);
    } catch (error) {
      const known = openFinding(target, error, data);
      if (known === undefined) throw error;
      openHits.set(known.id, (openHits.get(known.id) ?? 0) + 1);
    }
  };
}
