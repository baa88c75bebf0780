/**
 * An instance's `vmac` (keepalived use_vmac): `true` for the defaults, or
 * { name, transmitOnBase }. Either family (the MAC and the macvlan's set-up
 * depend on it: runtime/vmac.ts, os/vmac-links.ts).
 */
import type { VirtualMac } from "./types.js";
import type { FieldReader as Reader } from "./field-reader.js";

export function readVmac(r: Reader, value: unknown, path: string, vrid: number | undefined): VirtualMac | undefined {
  if (value === false) return undefined;
  const o = value === true ? {} : r.object(value, path, ["name", "transmitOnBase"]);
  if (o === undefined) return undefined;
  const name = o["name"] === undefined ? `vrrp.${vrid ?? 0}` : r.string(o["name"], `${path}.name`);
  if (name !== undefined && (name.length > 15 || /[\s/:]/.test(name) || name === "." || name === "..")) {
    return r.fail(`${path}.name`, `"${name}" is not a valid interface name (at most 15 characters, no spaces, "/" or ":")`);
  }
  const transmitOnBase = o["transmitOnBase"] === undefined ? false : r.boolean(o["transmitOnBase"], `${path}.transmitOnBase`);
  if (name === undefined || transmitOnBase === undefined) return undefined;
  return { name, transmitOnBase };
}
