/**
 * `floatip convert FILE.conf [--to floatip|virtualip]`: reads a
 * keepalived.conf (with its includes) and prints the equivalent floatip
 * YAML, or VirtualIP resources for the operator. With `--from metallb |
 * keepalived-operator | kube-vip FILE.yaml` it reads that project's
 * Kubernetes resources and prints VirtualIPPools (operator/convert/).
 * Nothing is applied.
 */
import type { IncludeIo } from "../agent/keepalived/lexer.js";
import { formatWarnings, loadKeepalivedFile, nodeIncludeIo, shellLexOptions } from "../agent/keepalived/load.js";
import { toYaml } from "../agent/keepalived/to-yaml.js";
import { formatManifests, toVirtualIpManifests } from "../agent/keepalived/virtualip.js";
import { parseArgs } from "../base/args.js";
import { convertText, isSource, SOURCES, type Source } from "../operator/convert/index.js";

export const CONVERT_USAGE = `usage: floatip convert FILE.conf [--to floatip|virtualip] [--config-id ID]
       floatip convert --from metallb|keepalived-operator|kube-vip FILE.yaml

Reads a keepalived.conf (and the files it includes), or another load
balancer's Kubernetes resources, and prints the equivalent configuration to
stdout. Nothing is applied.

options:
  --from keepalived           a keepalived.conf (default)
  --from metallb              IPAddressPool + L2Advertisement (metallb.io/v1beta1), or the
                              older ConfigMap with a config key: VirtualIPPools
  --from keepalived-operator  KeepalivedGroups and the Services that name them
                              (keepalived-operator.redhat-cop.io/keepalivedgroup): VirtualIPPools
  --from kube-vip             kube-vip-cloud-provider's ConfigMap (cidr-global, range-global,
                              cidr-<namespace>, range-<namespace>): VirtualIPPools
                              The YAML may hold many documents or a kind: List (kubectl get -o yaml).
                              What has no floatip equivalent (BGP, ...) is reported on stderr as
                              FILE: warning: Kind namespace/name: message.
  --config-id ID   which conditional lines (@ID / @^ID) of a keepalived.conf count, as
                   keepalived -i (default: the host name up to its first dot)
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
  const args = parseArgs(argv, [
    { name: "to", takesValue: true },
    { name: "from", takesValue: true },
    { name: "config-id", takesValue: true },
  ]);
  if (!args.ok) return usageError(args.message);
  const from = args.flags.get("from") ?? "keepalived";
  if (from !== "keepalived") {
    if (typeof from !== "string" || !isSource(from))
      return usageError(`--from must be one of keepalived, ${Object.keys(SOURCES).join(", ")}, got "${String(from)}"`);
    if (args.flags.has("to")) return usageError(`--to applies to --from keepalived only; --from ${from} prints VirtualIPPools`);
    if (args.flags.has("config-id")) return usageError("--config-id applies to --from keepalived only");
    if (args.positional.length !== 1) return usageError(`give exactly one YAML file of ${from} resources`);
    return convertResources(from, args.positional[0]!, io);
  }
  if (args.positional.length !== 1) return usageError("give exactly one keepalived.conf file");
  const target = args.flags.get("to") ?? "floatip";
  if (!TARGETS.includes(target as Target)) return usageError(`--to must be one of ${TARGETS.join(", ")}, got "${String(target)}"`);
  const file = args.positional[0]!;

  const configId = args.flags.get("config-id");
  const loaded = await loadKeepalivedFile(file, io.files, {
    lvs: "skip",
    showSecrets: true,
    ...shellLexOptions(typeof configId === "string" ? configId : undefined),
  });
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

function convertResources(from: Source, file: string, io: ConvertIo): number {
  let text: string;
  try {
    text = io.files.readFile(file);
  } catch (e) {
    io.stderr(`${file}: cannot read: ${(e as Error).message}\n`);
    return 2;
  }
  const result = convertText(from, text);
  io.stderr(result.warnings.map((w) => `${file}: warning: ${w}\n`).join(""));
  if (result.errors.length > 0) {
    io.stderr(result.errors.map((e) => `${file}: ${e}\n`).join(""));
    return 2;
  }
  const header = `# VirtualIPPools converted from ${from} resources in ${file}\n`;
  io.stdout(result.manifests.length === 0 ? `${header}# (nothing to convert)\n` : `${header}${formatManifests(result.manifests)}`);
  return 0;
}
