/**
 * Reads an agent config file: floatip YAML, or keepalived.conf syntax
 * (agent/keepalived) for a name ending in ".conf" or when asked.
 */
import { readFile } from "node:fs/promises";
import yaml from "js-yaml";
import { validateAgentConfig, type ConfigError } from "./validate.js";
import { fillInterfaces } from "./fill-interfaces.js";
import { deprecationLines } from "./renamed-fields.js";
import { MAX_ALIAS_VALUES, checkExpansion } from "./yaml-expansion.js";
import type { LinkInfo } from "../os/ports.js";
import type { AgentConfig } from "./types.js";

export type ConfigFormat = "yaml" | "keepalived";

/**
 * The format a file is read in: the explicit one, else what its text looks
 * like, else by its name (".conf" is keepalived). A keepalived.conf starts
 * with a keepalived section or keyword and no YAML colon; floatip YAML starts
 * with a key and a colon.
 */
export function formatOf(file: string, explicit?: ConfigFormat, text?: string): ConfigFormat {
  return explicit ?? (text !== undefined ? sniffFormat(text) : undefined) ?? (file.endsWith(".conf") ? "keepalived" : "yaml");
}

const KEEPALIVED_START =
  /^(global_defs|vrrp_instance|vrrp_script|vrrp_sync_group|vrrp_track_file|track_file|vrrp_track_process|include[rmwba]?|virtual_server|virtual_server_group|static_ipaddress|static_routes|static_rules|net_namespace|bfd_instance)(\s|\{|$)/;

/** keepalived's parameter definitions, @ID conditional lines and ~SEQ / ~LST (none of them can start YAML). */
const KEEPALIVED_PREPROCESSOR = /^(\$[A-Za-z_]\w*=|@\^?[^\s@]+(\s|$)|~(SEQx?|LST)\()/;

/** The format the first statement of `text` belongs to, or undefined when it does not tell. */
export function sniffFormat(text: string): ConfigFormat | undefined {
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith("!")) continue;
    if (line === "---" || /^[\w"'-][^:{]*:(\s|$)/.test(line) || line.startsWith("- ")) return "yaml";
    return KEEPALIVED_START.test(line) || KEEPALIVED_PREPROCESSOR.test(line) ? "keepalived" : undefined;
  }
  return undefined;
}

export type LoadResult =
  | {
      readonly ok: true;
      readonly config: AgentConfig;
      /** Old field spellings used (renamed-fields.ts), at "file:line" with the field path in the message. */
      readonly warnings?: readonly ConfigError[];
    }
  | { readonly ok: false; readonly errors: readonly ConfigError[] };

export interface LoadOptions {
  /** The host's interfaces, to fill in instances that leave `interface` out. */
  readonly links?: readonly LinkInfo[];
  /** The text came from a file given to agent --config (whose format could also be keepalived). */
  readonly fromFile?: boolean;
}

export function parseYamlConfig(text: string, file: string, options: LoadOptions = {}): LoadResult {
  let doc: unknown;
  try {
    doc = yaml.load(text, { filename: file, schema: yaml.CORE_SCHEMA });
  } catch (error) {
    const e = error as { mark?: { line: number }; reason?: string; message: string };
    const line = e.mark !== undefined ? `:${e.mark.line + 1}` : "";
    // A keepalived.conf the format guess missed ends up here: say how to read it as one.
    const hint = options.fromFile === true ? " (a keepalived.conf is read with --format keepalived)" : "";
    return { ok: false, errors: [{ path: `${file}${line}`, message: `not valid YAML: ${e.reason ?? e.message}${hint}` }] };
  }
  if (options.fromFile === true && (doc === null || typeof doc !== "object" || Array.isArray(doc))) {
    return {
      ok: false,
      errors: [
        { path: file, message: "is not floatip YAML (a mapping with instances:); a keepalived.conf is read with --format keepalived" },
      ],
    };
  }
  const expansion = checkExpansion(doc);
  if (!expansion.ok) {
    const message =
      expansion.reason === "cycle"
        ? "YAML alias to a node that contains it: the document would never end"
        : `YAML aliases add more than ${MAX_ALIAS_VALUES.toLocaleString("en")} values to the document, going over with the alias here; use fewer aliases or write the repeated parts out`;
    return { ok: false, errors: [{ path: fieldPath(expansion.path), message }] };
  }
  if (options.links !== undefined) {
    const filled = fillInterfaces(doc, options.links);
    if (!filled.ok) return filled;
    doc = filled.doc;
  }
  const result = validateAgentConfig(doc);
  if (!result.ok || result.deprecated === undefined) return result.ok ? { ok: true, config: result.config } : result;
  const lines = deprecationLines(text, result.deprecated);
  const warnings = result.deprecated.map((d, i) => ({
    path: lines[i] === undefined ? file : `${file}:${lines[i]}`,
    message: `${d.path}: ${d.message}`,
  }));
  return { ok: true, config: result.config, warnings };
}

/** A path from checkExpansion in the validator's form: top-level fields by name, anything else under "config". */
function fieldPath(path: string): string {
  if (path === "") return "config";
  return /^(scripts|trackFiles|instances)([.[]|$)/.test(path) ? path : `config.${path}`;
}

export async function loadConfigFile(file: string, options: LoadOptions = {}): Promise<LoadResult> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    return { ok: false, errors: [{ path: file, message: `cannot read: ${(error as Error).message}` }] };
  }
  return parseYamlConfig(text, file, { ...options, fromFile: true });
}

export function formatErrors(errors: readonly ConfigError[]): string {
  return errors.map((e) => `invalid config: ${e.path}: ${e.message}`).join("\n");
}
