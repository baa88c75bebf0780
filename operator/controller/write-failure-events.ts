/**
 * What a failed write says to the user (pure): the Event on the object the
 * failed write was for, and the lines a VirtualIP's Accepted condition and
 * NodeConfigRejected Event carry when a VRRPNode it is rendered on could not
 * be written (that node keeps running its previous config).
 */
import type { EventInput } from "./kube-api.js";
import { refusalText, type WriteFailure } from "./write-failures.js";

const WHAT: Record<WriteFailure["kind"], string> = {
  "vrrpnode-spec": "writing the spec",
  "vrrpnode-delete": "deleting it",
  "virtualip-finalizer": "updating its finalizers",
  "virtualip-status": "writing its status",
  virtualip: "writing it",
  "service-status": "writing its status",
  "pool-status": "writing its status",
};

/** A Warning Event on the VRRPNode or VirtualIP the failed write was for (Services and pools: undefined, lb-sync.ts). */
export function writeFailureEvent(f: WriteFailure): EventInput | undefined {
  const message = `${WHAT[f.kind]} ${refusalText(f)}`;
  if (f.kind === "vrrpnode-spec" || f.kind === "vrrpnode-delete") {
    return {
      kind: "VRRPNode",
      name: f.target,
      type: "Warning",
      reason: "WriteFailed",
      message: `${message}; node ${f.target} keeps running its previous config`,
    };
  }
  if (f.kind === "virtualip-status" || f.kind === "virtualip-finalizer")
    return { kind: "VirtualIP", name: f.target, type: "Warning", reason: "WriteFailed", message };
  return undefined;
}

/** Per node whose VRRPNode spec could not be written: what the API server said. */
export function unwrittenNodes(failures: readonly WriteFailure[]): ReadonlyMap<string, string> {
  return new Map(failures.filter((f) => f.kind === "vrrpnode-spec").map((f) => [f.target, refusalText(f)]));
}

/** Names shown before "and N more": a VirtualIP on hundreds of refused nodes must still fit its condition. */
const NAMED = 5;

/**
 * "VRRPNode c not updated, refused by ...": one line per distinct refusal,
 * naming the first few nodes (sorted) and counting the rest.
 */
export function unwrittenLines(nodes: readonly string[], unwritten: ReadonlyMap<string, string> | undefined): string[] {
  const byText = new Map<string, string[]>();
  for (const node of [...nodes].sort()) {
    const text = unwritten?.get(node);
    if (text !== undefined) byText.set(text, [...(byText.get(text) ?? []), node]);
  }
  return [...byText].map(([text, names]) => {
    const shown = names.slice(0, NAMED).join(", ");
    const more = names.length > NAMED ? ` and ${names.length - NAMED} more` : "";
    return `VRRPNode${names.length > 1 ? "s" : ""} ${shown}${more} not updated, ${text}`;
  });
}
