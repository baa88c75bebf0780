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
    return { kind: "VRRPNode", name: f.target, type: "Warning", reason: "WriteFailed", message: `${message}; node ${f.target} keeps running its previous config` };
  }
  if (f.kind === "virtualip-status" || f.kind === "virtualip-finalizer") return { kind: "VirtualIP", name: f.target, type: "Warning", reason: "WriteFailed", message };
  return undefined;
}

/** Per node whose VRRPNode spec could not be written: the line a VirtualIP rendered there shows. */
export function unwrittenNodes(failures: readonly WriteFailure[]): ReadonlyMap<string, string> {
  return new Map(failures.filter((f) => f.kind === "vrrpnode-spec").map((f) => [f.target, `VRRPNode ${f.target} not updated, ${refusalText(f)}`]));
}
