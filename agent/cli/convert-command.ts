/**
 * `floatip convert FILE.conf [--to floatip|virtualip]`: reads a
 * keepalived.conf (with its includes) and prints the equivalent floatip
 * YAML, or VirtualIP resources for the operator. Nothing is applied.
 */
import type { IncludeIo } from "../keepalived/lexer.js";
import { formatWarnings, loadKeepalivedFile, nodeIncludeIo } from "../keepalived/load.js";
import { toYaml } from "../keepalived/to-yaml.js";
import { formatManifests, toVirtualIpManifests } from "../keepalived/virtualip.js";
import { parseArgs } from "./args.js";

export const CONVERT_USAGE = `usage: floatip convert FILE.conf [--to floatip|virtualip]

Reads a keepalived.conf (and the files it includes) and prints the
equivalent configuration to stdout. Nothing is applied.

options:
  --to floatip     floatip agent YAML, for \`floatip agent --config\` (default)
  --to virtualip   VirtualIP resources (floatip.io/v1alpha1) for the operator, one per
                   vrrp_instance, plus a Secret for each password

Every keepalived setting must translate: anything floatip cannot express is
reported as FILE:LINE: keyword: message on stderr, all errors at once,
sorted by file and line. Settings floatip accepts but does not carry out
(mail alerts, router_id, ...) and the LVS sections (virtual_server ...),
which are skipped, are reported as FILE:LINE: warning: keyword: message.
docs/keepalived.md lists what is supported.

Exit codes: 0 on success, 2 on bad usage or any config error.`;

const TARGETS = ["floatip", "virtualip"] as const;
type Target = (typeof TARGETS)[number];

export interface ConvertIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly files: IncludeIo;
}

const processIo: ConvertIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  files: nodeIncludeIo,
};

export async function runConvertCommand(argv: readonly string[], io: ConvertIo = processIo): Promise<number> {
  const usageError = (message: string): number => {
    io.stderr(`floatip convert: ${message}\n\n${CONVERT_USAGE}\n`);
    return 2;
  };
  const args = parseArgs(argv, [{ name: "to", takesValue: true }]);
  if (!args.ok) return usageError(args.message);
  if (args.positional.length !== 1) return usageError("give exactly one keepalived.conf file");
  const target = args.flags.get("to") ?? "floatip";
  if (!TARGETS.includes(target as Target)) return usageError(`--to must be one of ${TARGETS.join(", ")}, got "${String(target)}"`);
  const file = args.positional[0]!;

  const loaded = await loadKeepalivedFile(file, io.files, { lvs: "skip", showSecrets: true });
  io.stderr(formatWarnings(loaded.warnings));
  if (!loaded.ok) {
    io.stderr(loaded.errors.map((e) => `${e.path}: ${e.message}\n`).join(""));
    return 2;
  }
  if (target === "virtualip") {
    io.stdout(formatManifests(toVirtualIpManifests(loaded.config)));
  } else {
    io.stdout(`# floatip agent config converted from ${file}\n${toYaml(loaded.config)}`);
  }
  return 0;
}
