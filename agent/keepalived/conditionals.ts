/**
 * keepalived's conditional configuration (keepalived.conf(5), "Conditional
 * configuration and configuration id"): a line that starts with `@ID` is
 * kept only when ID is the config id, one that starts with `@^ID` only when
 * it is not. keepalived's config id is its `-i` option, else the host name
 * up to the first dot; floatip's is `--config-id`, with the same default.
 */

export type Conditional =
  /** Not a conditional line: use it as it is. */
  | { readonly kind: "plain" }
  /** A conditional line for this host: `rest` is the line without its `@ID`. */
  | { readonly kind: "keep"; readonly rest: string }
  /** A conditional line for other hosts. */
  | { readonly kind: "drop" }
  | { readonly kind: "error"; readonly message: string };

/**
 * Judges one line (comment already removed). `configId` undefined: no id
 * was given, so no `@ID` matches and every `@^ID` does.
 */
export function conditional(text: string, configId: string | undefined): Conditional {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith("@")) return { kind: "plain" };
  const m = /^@(\^?)(\S*)(?:\s+(.*))?$/.exec(trimmed);
  const negated = m?.[1] === "^";
  const id = m?.[2] ?? "";
  if (id === "")
    return { kind: "error", message: `a conditional line needs a config id right after "@${negated ? "^" : ""}" (e.g. @lb1 priority 150)` };
  const matches = configId !== undefined && id === configId;
  return matches !== negated ? { kind: "keep", rest: m?.[3] ?? "" } : { kind: "drop" };
}

/** keepalived's default config id: the host name up to its first dot. */
export function defaultConfigId(hostname: string): string {
  return hostname.split(".")[0] ?? hostname;
}
