/**
 * VRRPNode specs name the VRRPv2 password by Secret reference; the agent
 * reads the Secret and puts the password into its in-memory config only.
 * Works on the raw YAML-form document before validation.
 */
import type { ConfigError } from "../config/validate.js";

export type SecretReader = (namespace: string, name: string) => Promise<Readonly<Record<string, string>>>;

/** On failure `doc` still has every password that could be read (the agent applies the other instances). */
export type ResolveResult =
  | { readonly ok: true; readonly doc: unknown }
  | { readonly ok: false; readonly errors: readonly ConfigError[]; readonly doc: unknown };

export async function resolveSecrets(doc: unknown, read: SecretReader): Promise<ResolveResult> {
  if (!isObject(doc) || !Array.isArray(doc["instances"])) return { ok: true, doc };
  const errors: ConfigError[] = [];
  const instances = await Promise.all(
    doc["instances"].map(async (raw: unknown, i: number) => {
      const auth = isObject(raw) ? raw["authentication"] : undefined;
      if (!isObject(raw) || !isObject(auth) || !isObject(auth["secretRef"])) return raw;
      const path = `instances[${i}].authentication.secretRef`;
      const ref = auth["secretRef"];
      const { namespace, name, key } = ref as Record<string, unknown>;
      if (typeof namespace !== "string" || typeof name !== "string" || typeof key !== "string") {
        errors.push({ path, message: "needs namespace, name and key" });
        return raw;
      }
      try {
        const data = await read(namespace, name);
        const password = data[key];
        if (password === undefined) {
          errors.push({ path, message: `Secret ${namespace}/${name} has no key "${key}"` });
          return raw;
        }
        const { secretRef: _ref, ...rest } = auth;
        return { ...raw, authentication: { ...rest, password } };
      } catch (error) {
        errors.push({ path, message: `cannot read Secret ${namespace}/${name}: ${statusText(error)}` });
        return raw;
      }
    }),
  );
  return errors.length > 0 ? { ok: false, errors, doc: { ...doc, instances } } : { ok: true, doc: { ...doc, instances } };
}

function statusText(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  return typeof code === "number" ? `HTTP ${code}` : error instanceof Error ? error.message : String(error);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
