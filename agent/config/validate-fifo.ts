/**
 * `notifyFifos` (keepalived notify_fifo / vrrp_notify_fifo): absolute paths,
 * each once. Whether the path is a FIFO is a fact of the host, checked at
 * start (check-fifos.ts), not here.
 */
import type { NotifyFifoConfig } from "./types.js";
import type { FieldReader as Reader } from "./field-reader.js";

const FIFO_KEYS = ["path", "user", "group"] as const;

export function readNotifyFifos(r: Reader, value: unknown, path: string): NotifyFifoConfig[] | undefined {
  const list = r.list(value, path);
  if (list === undefined) return undefined;
  const out: NotifyFifoConfig[] = [];
  list.forEach((item, i) => {
    const at = `${path}[${i}]`;
    const o = r.object(item, at, FIFO_KEYS);
    if (o === undefined) return;
    const file = r.string(o["path"], `${at}.path`);
    const user = o["user"] === undefined ? undefined : r.string(o["user"], `${at}.user`);
    const group = o["group"] === undefined ? undefined : r.string(o["group"], `${at}.group`);
    if (file === undefined) return;
    if (!file.startsWith("/")) return void r.fail(`${at}.path`, `must be an absolute path, got "${file}"`);
    const same = out.findIndex((f) => f.path === file);
    if (same >= 0) return void r.fail(`${at}.path`, `${file} is already ${path}[${same}]`);
    out.push({ path: file, ...(user !== undefined ? { user } : {}), ...(group !== undefined ? { group } : {}) });
  });
  return out.length === list.length ? out : undefined;
}
