/**
 * Why agents refused a VirtualIP's instances (pure): each rendered node's
 * VRRPNode status names the instances it could not run (configErrors with
 * `instance`, agent/kube/spec-instances.ts) or says it refused its whole
 * spec. The VirtualIP's Accepted condition and its RefusedByNode Event
 * carry these lines, so the user sees the reason on the object they wrote.
 */
import type { VRRPNode } from "../api/types.js";

/** "node-a: interface: not given, and no interface ...", one line per refusing node and error, sorted. */
export function refusalsFor(vrrpNodes: readonly VRRPNode[], rendered: ReadonlySet<string>, instances: readonly string[]): string[] {
  const lines: string[] = [];
  for (const node of vrrpNodes) {
    if (!rendered.has(node.metadata.name)) continue;
    for (const e of node.status?.configErrors ?? []) {
      if (e.instance !== undefined && !instances.includes(e.instance)) continue;
      // The VRRPNode's list index means nothing on the VirtualIP: name the field within the instance.
      const field = e.instance !== undefined ? e.field.replace(/^instances\[\d+\]\.?/, "") : `whole VRRPNode spec refused, ${e.field}`;
      const prefix = instances.length > 1 && e.instance !== undefined ? `${e.instance} ` : "";
      lines.push(`${node.metadata.name}: ${prefix}${field === "" ? "" : `${field}: `}${e.message}`);
    }
  }
  return lines.sort();
}
