/**
 * The part of a Service the load-balancer planner needs, read from the API
 * server's JSON (untrusted). Decides whether floatip serves the Service at
 * all, and checks the floatip annotations, with errors naming the field.
 */
import type { Family } from "../../agent/config/types.js";
import { canonicalAddress } from "../../agent/vrrp/address-bytes.js";
import type { Condition } from "../api/types.js";
import type { FieldError } from "../api/virtualip-config.js";
import { readAlias } from "./annotations.js";
import { DNS_SUBDOMAIN } from "../api/limits.js";

/** spec.loadBalancerClass of the Services floatip serves. */
export const LOAD_BALANCER_CLASS = "floatip.io/vrrp";
export { IPS_ANNOTATION, POOL_ANNOTATION, SHARING_ANNOTATION } from "./annotations.js";

export interface ServicePort {
  readonly protocol: string;
  readonly port: number;
}

export interface LbService {
  readonly namespace: string;
  readonly name: string;
  readonly uid?: string;
  readonly creationTimestamp?: string;
  readonly generation?: number;
  readonly labels: Readonly<Record<string, string>>;
  /** From spec.ipFamilies, in its order (the first is the primary family). */
  readonly families: readonly Family[];
  /** Addresses asked for by annotation or spec.loadBalancerIP, canonical, at most one per family. */
  readonly requested: ReadonlyMap<Family, string>;
  readonly sharingKey?: string;
  /** The VirtualIPPool named by floatip.io/pool (or an alias): addresses come from it only, autoAssign or not. */
  readonly pool?: string;
  readonly ports: readonly ServicePort[];
  readonly policy: "Cluster" | "Local";
  /** spec.selector (pods), for checking that Local Services sharing an address select the same pods. */
  readonly selector: Readonly<Record<string, string>>;
  /** status.loadBalancer.ingress[].ip, canonical. */
  readonly ingress: readonly string[];
  /** status.conditions, to keep other writers' conditions. */
  readonly conditions: readonly Condition[];
}

export type ServiceRead =
  | { readonly kind: "ignored" }
  | { readonly kind: "service"; readonly service: LbService }
  | { readonly kind: "invalid"; readonly service: LbService; readonly errors: readonly FieldError[] };

export interface ReadOptions {
  /** floatip also serves LoadBalancer Services without a class (controller flag --default-load-balancer-class). */
  readonly defaultClass: boolean;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strings = (v: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries(obj(v)).filter((e): e is [string, string] => typeof e[1] === "string"));

export const serviceKey = (s: { namespace: string; name: string }): string => `${s.namespace}/${s.name}`;

/** Whether floatip serves this Service: type LoadBalancer, our class (or none, when floatip is the default), not being deleted. */
export function isFloatipService(service: unknown, options: ReadOptions): boolean {
  const metadata = obj(obj(service)["metadata"]);
  const spec = obj(obj(service)["spec"]);
  if (spec["type"] !== "LoadBalancer" || metadata["deletionTimestamp"] !== undefined) return false;
  const cls = spec["loadBalancerClass"];
  return cls === LOAD_BALANCER_CLASS || (cls === undefined && options.defaultClass);
}

export function readService(service: unknown, options: ReadOptions): ServiceRead {
  if (!isFloatipService(service, options)) return { kind: "ignored" };
  const metadata = obj(obj(service)["metadata"]);
  const spec = obj(obj(service)["spec"]);
  const status = obj(obj(service)["status"]);
  const annotations = strings(metadata["annotations"]);
  const errors: FieldError[] = [];
  const families: Family[] = [];
  for (const f of list(spec["ipFamilies"])) {
    if (f === "IPv4" && !families.includes(4)) families.push(4);
    if (f === "IPv6" && !families.includes(6)) families.push(6);
  }
  if (families.length === 0) families.push(typeof spec["clusterIP"] === "string" && spec["clusterIP"].includes(":") ? 6 : 4);

  const requested = new Map<Family, string>();
  const ipsAlias = readAlias(annotations, "ips", (a, b) => addressSet(a) === addressSet(b));
  if (ipsAlias.kind === "conflict") errors.push(ipsAlias.error);
  const legacy = typeof spec["loadBalancerIP"] === "string" && spec["loadBalancerIP"] !== "" ? spec["loadBalancerIP"] : undefined;
  const [source, field] =
    ipsAlias.kind === "value"
      ? [ipsAlias.value, ipsAlias.field]
      : ipsAlias.kind === "absent"
        ? [legacy, "spec.loadBalancerIP"]
        : [undefined, ""];
  if (source !== undefined) {
    const items = source.split(",").map((s) => s.trim());
    items.forEach((item, i) => {
      const where = items.length > 1 ? `${field}[${i}]` : field;
      const v4 = canonicalAddress(item, 4);
      const address = v4 ?? canonicalAddress(item, 6);
      const family: Family = v4 !== undefined ? 4 : 6;
      if (address === undefined)
        errors.push({
          field: where,
          message: `"${item}" is not an IP address (write addresses separated by commas, e.g. "192.0.2.10,2001:db8::10")`,
        });
      else if (requested.has(family))
        errors.push({
          field: where,
          message: `asks for a second IPv${family} address (${requested.get(family)} and ${address}); a Service gets one address per family`,
        });
      else if (!families.includes(family))
        errors.push({
          field: where,
          message: `${address} is IPv${family}, but spec.ipFamilies is [${families.map((f) => `IPv${f}`).join(", ")}]`,
        });
      else requested.set(family, address);
    });
  }
  const sharing = readAlias(annotations, "sharing");
  if (sharing.kind === "conflict") errors.push(sharing.error);
  const sharingKey = sharing.kind === "value" ? sharing.value : undefined;
  if (sharing.kind === "value" && sharing.value.trim() === "")
    errors.push({ field: sharing.field, message: "must not be empty: Services with the same non-empty value may share an address" });
  const poolAlias = readAlias(annotations, "pool");
  if (poolAlias.kind === "conflict") errors.push(poolAlias.error);
  const pool = poolAlias.kind === "value" ? poolAlias.value.trim() : undefined;
  if (pool !== undefined && (pool.length > 253 || !DNS_SUBDOMAIN.test(pool)))
    errors.push({
      field: poolAlias.kind === "value" ? poolAlias.field : "",
      message: `must name a VirtualIPPool (a DNS subdomain name), got "${pool}"`,
    });

  const ports = list(spec["ports"]).map((p) => ({
    protocol: typeof obj(p)["protocol"] === "string" ? (obj(p)["protocol"] as string) : "TCP",
    port: typeof obj(p)["port"] === "number" ? (obj(p)["port"] as number) : 0,
  }));
  const ingress = list(obj(status["loadBalancer"])["ingress"])
    .map((i) => obj(i)["ip"])
    .filter((ip): ip is string => typeof ip === "string")
    .map((ip) => canonicalAddress(ip))
    .filter((ip): ip is string => ip !== undefined);
  const lb: LbService = {
    namespace: typeof metadata["namespace"] === "string" ? metadata["namespace"] : "default",
    name: typeof metadata["name"] === "string" ? metadata["name"] : "",
    ...(typeof metadata["uid"] === "string" ? { uid: metadata["uid"] } : {}),
    ...(typeof metadata["creationTimestamp"] === "string" ? { creationTimestamp: metadata["creationTimestamp"] } : {}),
    ...(metadata["creationTimestamp"] instanceof Date ? { creationTimestamp: metadata["creationTimestamp"].toISOString() } : {}),
    ...(typeof metadata["generation"] === "number" ? { generation: metadata["generation"] } : {}),
    labels: strings(metadata["labels"]),
    families,
    requested,
    ...(sharingKey !== undefined && sharingKey.trim() !== "" ? { sharingKey: sharingKey.trim() } : {}),
    ...(pool !== undefined && pool !== "" ? { pool } : {}),
    ports,
    policy: spec["externalTrafficPolicy"] === "Local" ? "Local" : "Cluster",
    selector: strings(spec["selector"]),
    ingress,
    conditions: list(status["conditions"]) as Condition[],
  };
  return errors.length > 0 ? { kind: "invalid", service: lb, errors } : { kind: "service", service: lb };
}

/** A comma-separated address list as a canonical, order-free key (text that is no address stays as written). */
function addressSet(text: string): string {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map((s) => canonicalAddress(s, 4) ?? canonicalAddress(s, 6) ?? s)
    .sort()
    .join(",");
}
