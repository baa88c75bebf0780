/**
 * Commands from the cluster are off unless the node's admin turns them on
 * (`--allow-vrrpnode-scripts`, chart value agent.allowVRRPNodeScripts).
 * A VRRPNode instance that tracks scripts (a VirtualIP's spec.track.scripts)
 * or has notify commands would run them as root on the node, so whoever may
 * create VirtualIPs could run anything on every selected node. With the gate
 * closed such an instance is refused (not run without its checks: a VIP
 * that silently ignores its health checks is worse than one that says why it
 * does not run); the reason reaches the VirtualIP. See docs/security.md.
 * Pure.
 */
import type { AgentConfig } from "../config/types.js";
import type { ConfigError } from "../config/validate.js";

export const SCRIPTS_DISABLED =
  "runs commands on the node, and this agent does not run commands from VRRPNodes (start it with --allow-vrrpnode-scripts, chart value agent.allowVRRPNodeScripts; see docs/security.md)";

/** Errors for the instances of a raw VRRPNode spec that would run commands. */
export function scriptGateErrors(doc: unknown): ConfigError[] {
  const instances = isObject(doc) && Array.isArray(doc["instances"]) ? (doc["instances"] as unknown[]) : [];
  return instances.flatMap((raw, i): ConfigError[] => {
    if (!isObject(raw)) return [];
    const track = raw["track"];
    const scripts = isObject(track) ? track["scripts"] : undefined;
    return [
      ...(Array.isArray(scripts) && scripts.length > 0 ? [{ path: `instances[${i}].track.scripts`, message: SCRIPTS_DISABLED }] : []),
      ...(raw["notify"] !== undefined ? [{ path: `instances[${i}].notify`, message: SCRIPTS_DISABLED }] : []),
    ];
  });
}

/** The same rule on a validated config (the node's cached config, written when the gate may have been open). */
export function withoutCommands(config: AgentConfig): {
  readonly config: AgentConfig;
  readonly refused: readonly { instance: string; errors: ConfigError[] }[];
} {
  const refused = config.instances.flatMap((inst, i) => {
    const errors: ConfigError[] = [
      ...(inst.track.scripts.length > 0 ? [{ path: `instances[${i}].track.scripts`, message: SCRIPTS_DISABLED }] : []),
      ...(inst.notify !== undefined ? [{ path: `instances[${i}].notify`, message: SCRIPTS_DISABLED }] : []),
    ];
    return errors.length > 0 ? [{ instance: inst.name, errors }] : [];
  });
  const names = new Set(refused.map((r) => r.instance));
  return { config: { ...config, instances: config.instances.filter((i) => !names.has(i.name)) }, refused };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
