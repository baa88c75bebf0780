/**
 * A small argument parser: `--flag value`, `--flag=value` and boolean
 * switches, with unknown flags reported by name.
 */
export interface FlagSpec {
  readonly name: string;
  readonly takesValue: boolean;
}

export type ParsedArgs =
  | { readonly ok: true; readonly flags: ReadonlyMap<string, string | true>; readonly positional: readonly string[] }
  | { readonly ok: false; readonly message: string };

export function parseArgs(argv: readonly string[], specs: readonly FlagSpec[]): ParsedArgs {
  const flags = new Map<string, string | true>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const spec = specs.find((s) => s.name === name);
    if (spec === undefined) return { ok: false, message: `unknown option --${name}` };
    if (!spec.takesValue) {
      flags.set(name, true);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) return { ok: false, message: `option --${name} needs a value` };
    flags.set(name, value);
  }
  return { ok: true, flags, positional };
}
