/**
 * JSON merge patches (RFC 7386) that take a stored object to a wanted one
 * (pure). Arrays are replaced whole; a key the wanted object no longer has
 * must be sent as null, or the stored value stays (a VirtualIP that lost
 * its master would keep showing the old one).
 */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** The patch that turns `stored` into `wanted`. */
export function mergePatchFor(stored: unknown, wanted: unknown): unknown {
  if (!isObject(stored) || !isObject(wanted)) return wanted;
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(stored)) if (!(key in wanted)) patch[key] = null;
  for (const [key, value] of Object.entries(wanted)) {
    if (value === undefined) continue;
    patch[key] = isObject(value) && isObject(stored[key]) ? mergePatchFor(stored[key], value) : value;
  }
  return patch;
}

/** Applies a merge patch, as the API server does. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = applyMergePatch(out[key], value);
  }
  return out;
}
