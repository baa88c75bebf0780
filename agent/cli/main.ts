/**
 * `floatip` command line: dispatches to subcommands. Each subcommand returns
 * its exit code; usage errors exit 2.
 */
import { runAgentCommand, AGENT_USAGE } from "./agent-command.js";
import type { StopSignals } from "./stop-signals.js";
import { runConvertCommand, CONVERT_USAGE } from "./convert-command.js";
import { runCheckCommand, CHECK_USAGE } from "./check-command.js";
import { runManifestCommand, MANIFEST_USAGE } from "./manifest-command.js";
import { CONTROLLER_USAGE } from "../../operator/controller/usage.js";
import { readBuildInfo } from "../runtime/build-info.js";

interface Subcommand {
  readonly summary: string;
  readonly usage: string;
  readonly run: (argv: readonly string[]) => Promise<number>;
}

const SUBCOMMANDS: Readonly<Record<string, Subcommand>> = {
  agent: { summary: "run the VRRP agent from a floatip YAML file or a keepalived.conf", usage: AGENT_USAGE, run: runAgentCommand },
  check: { summary: "Nagios/NRPE check of an instance's state (MASTER or BACKUP expected)", usage: CHECK_USAGE, run: (argv) => runCheckCommand(argv) },
  controller: { summary: "run the Kubernetes controller (VirtualIP -> VRRPNode, status, events)", usage: CONTROLLER_USAGE, run: async (argv) => (await import("../../operator/controller/command.js")).runControllerCommand(argv) },
  convert: { summary: "print a keepalived.conf as floatip YAML (or VirtualIP resources)", usage: CONVERT_USAGE, run: (argv) => runConvertCommand(argv) },
  manifest: { summary: "write the static pod manifest for the control-plane VIP", usage: MANIFEST_USAGE, run: (argv) => runManifestCommand(argv) },
};

export function helpText(): string {
  const width = Math.max(...Object.keys(SUBCOMMANDS).map((n) => n.length));
  const lines = Object.entries(SUBCOMMANDS).map(([name, sub]) => `  ${name.padEnd(width)}  ${sub.summary}`);
  return ["usage: floatip <command> [options]", "       floatip --version", "", "commands:", ...lines, "", "Run `floatip <command> --help` for a command's options."].join("\n");
}

/** `signals`: the agent's signals, caught by the launcher before anything else loaded. */
export async function main(argv: readonly string[], early: { readonly signals?: StopSignals | undefined } = {}): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(helpText() + "\n");
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "version") {
    process.stdout.write(readBuildInfo().version + "\n");
    return 0;
  }
  const sub = SUBCOMMANDS[name];
  if (sub === undefined) {
    process.stderr.write(`floatip: unknown command "${name}"\n\n${helpText()}\n`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(sub.usage + "\n");
    return 0;
  }
  return name === "agent" ? runAgentCommand(rest, undefined, early.signals) : sub.run(rest);
}
