/**
 * Validation of `httpChecks`: HTTP(S) GET health checks (for example the
 * local kube-apiserver's /readyz), counted like keepalived scripts.
 */
import type { HttpCheckConfig, HttpCheckTls } from "./types.js";
import type { Reader } from "./reader.js";
import { describe } from "./duration.js";

const HTTP_CHECK_KEYS = ["name", "url", "interval", "timeout", "weight", "fall", "rise", "tls"] as const;

export function readHttpChecks(r: Reader, value: unknown, path: string): HttpCheckConfig[] | undefined {
  const list = r.list(value, path);
  if (list === undefined) return undefined;
  const out: HttpCheckConfig[] = [];
  list.forEach((raw, i) => {
    const check = readHttpCheck(r, raw, `${path}[${i}]`);
    if (check === undefined) return;
    if (out.some((c) => c.name === check.name)) r.fail(path, `name "${check.name}" is used twice`);
    else out.push(check);
  });
  return out;
}

/** One check (also a VirtualIP's spec.track.httpChecks[i], operator/api/validate-virtualip-track.ts). */
export function readHttpCheck(r: Reader, raw: unknown, p: string): HttpCheckConfig | undefined {
  const o = r.object(raw, p, HTTP_CHECK_KEYS);
  if (o === undefined) return undefined;
  const before = r.errors.length;
  const name = r.string(o["name"], `${p}.name`);
  const url = readUrl(r, o["url"], `${p}.url`);
  const intervalMs = o["interval"] === undefined ? 1000 : r.duration(o["interval"], `${p}.interval`);
  if (intervalMs === 0) r.fail(`${p}.interval`, "must be more than 0");
  const timeoutMs = o["timeout"] === undefined ? intervalMs : r.duration(o["timeout"], `${p}.timeout`);
  if (o["timeout"] !== undefined && timeoutMs === 0) r.fail(`${p}.timeout`, "must be more than 0");
  const weight = o["weight"] === undefined ? 0 : r.integer(o["weight"], `${p}.weight`, -253, 253);
  const fall = o["fall"] === undefined ? 1 : r.integer(o["fall"], `${p}.fall`, 1, 1_000_000);
  const rise = o["rise"] === undefined ? 1 : r.integer(o["rise"], `${p}.rise`, 1, 1_000_000);
  const tls = o["tls"] === undefined ? undefined : readTls(r, o["tls"], `${p}.tls`);
  if (tls !== undefined && url !== undefined && url.protocol !== "https:") r.fail(`${p}.tls`, "applies to https:// URLs only");
  if (r.errors.length > before) return undefined;
  return {
    name: name!,
    url: url!.href,
    intervalMs: intervalMs!,
    timeoutMs: timeoutMs!,
    weight: weight!,
    fall: fall!,
    rise: rise!,
    ...(tls !== undefined ? { tls } : {}),
  };
}

function readUrl(r: Reader, value: unknown, path: string): URL | undefined {
  const text = r.string(value, path);
  if (text === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return r.fail(path, `must be an http:// or https:// URL, got ${describe(text)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return r.fail(path, `must use http or https, got "${url.protocol.slice(0, -1)}"`);
  if (url.hostname === "") return r.fail(path, "must name a host");
  if (url.username !== "" || url.password !== "") return r.fail(path, "must not carry credentials");
  if (url.hash !== "") return r.fail(path, "must not have a #fragment");
  return url;
}

function readTls(r: Reader, value: unknown, path: string): HttpCheckTls | undefined {
  const o = r.object(value, path, ["caFile", "serverName", "insecureSkipVerify"]);
  if (o === undefined) return undefined;
  const before = r.errors.length;
  const caFile = o["caFile"] === undefined ? undefined : r.string(o["caFile"], `${path}.caFile`);
  if (caFile !== undefined && !caFile.startsWith("/")) r.fail(`${path}.caFile`, `must be an absolute path, got ${describe(caFile)}`);
  const serverName = o["serverName"] === undefined ? undefined : r.string(o["serverName"], `${path}.serverName`);
  const insecureSkipVerify =
    o["insecureSkipVerify"] === undefined ? false : r.boolean(o["insecureSkipVerify"], `${path}.insecureSkipVerify`);
  if (insecureSkipVerify === true && (caFile !== undefined || serverName !== undefined)) {
    r.fail(`${path}.insecureSkipVerify`, "verifies nothing, so caFile and serverName would be ignored; use one or the other");
  }
  if (r.errors.length > before) return undefined;
  return {
    ...(caFile !== undefined ? { caFile } : {}),
    ...(serverName !== undefined ? { serverName } : {}),
    insecureSkipVerify: insecureSkipVerify!,
  };
}
