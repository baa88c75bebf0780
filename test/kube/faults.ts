// Fault injection for tests: a request matching a rule is refused with the rule's Status before
// it reaches the resource (nothing stored), as a real API server refuses a write it cannot take
// (an admission webhook's denial, a quota, etcd unavailable). Only the test server has this.
import type { RequestLogEntry } from "./types.js";

export interface FaultMatch {
  /** get, list, watch, create, update, patch, delete, ... */
  readonly verb?: string;
  /** The plural, e.g. "vrrpnodes", "services". */
  readonly resource?: string;
  /** "status" for /status writes; null: only the main resource. */
  readonly subresource?: string | null;
  readonly namespace?: string;
  readonly name?: string;
}

export interface Fault {
  readonly match: FaultMatch;
  readonly code: number;
  readonly reason: string;
  readonly message: string;
}

export function matchingFault(faults: readonly Fault[], entry: RequestLogEntry): Fault | undefined {
  return faults.find(
    ({ match: m }) =>
      (m.verb === undefined || m.verb === entry.verb) &&
      (m.resource === undefined || m.resource === entry.resource) &&
      (m.subresource === undefined || (m.subresource ?? undefined) === entry.subresource) &&
      (m.namespace === undefined || m.namespace === entry.namespace) &&
      (m.name === undefined || m.name === entry.name),
  );
}
