/**
 * `floatip` command line: dispatches to subcommands. Each subcommand returns
 * its exit code; usage errors exit 2.
 */
import type { StopSignals } from "../agent/cli/stop-signals.js";
import { readBuildInfo } from "../base/build-info.js";

/** A subcommand's code, loaded only when it runs: each one's module graph costs the others memory (bench/notes.md). */
interface Loaded {
  readonly usage: string;
  readonly run: (argv: readonly string[], signals: StopSignals | undefined) => Promise<number>;
}

interface Subcommand {
  readonly summary: string;
  readonly load: () => Promise<Loaded>;
}

const SUBCOMMANDS: Readonly<Record<string, Subcommand>> = {
  agent: {
    summary: "run the VRRP agent from a floatip YAML file or a keepalived.conf",
    load: async () => {
      const m = await import("../agent/cli/agent-command.js");
      return { usage: m.AGENT_USAGE, run: (argv, signals) => m.runAgentCommand(argv, undefined, signals) };
    },
  },
  check: {
    summary: "Nagios/NRPE check of an instance's state (MASTER or BACKUP expected)",
    load: async () => {
      const m = await import("../agent/cli/check-command.js");
      return { usage: m.CHECK_USAGE, run: (argv) => m.runCheckCommand(argv) };
    },
  },
  controller: {
    summary: "run the Kubernetes controller (VirtualIP -> VRRPNode, status, events)",
    load: async () => ({
      usage: (await import("../operator/controller/usage.js")).CONTROLLER_USAGE,
      run: async (argv) => (await import("../operator/controller/command.js")).runControllerCommand(argv),
    }),
  },
  convert: {
    summary: "print a keepalived.conf as floatip YAML (or VirtualIP resources)",
    load: async () => {
      const m = await import("./convert-command.js");
      return { usage: m.CONVERT_USAGE, run: (argv) => m.runConvertCommand(argv) };
    },
  },
  manifest: {
    summary: "write the static pod manifest for the control-plane VIP",
    load: async () => {
      const m = await import("../agent/cli/manifest-command.js");
      return { usage: m.MANIFEST_USAGE, run: (argv) => m.runManifestCommand(argv) };
    },
  },
};

export function helpText(): string {
  const width = Math.max(...Object.keys(SUBCOMMANDS).map((n) => n.length));
  const lines = Object.entries(SUBCOMMANDS).map(([name, sub]) => `  ${name.padEnd(width)}  ${sub.summary}`);
  return [
    "usage: floatip <command> [options]",
    "       floatip --version",
    "",
    "commands:",
    ...lines,
    "",
    "Run `floatip <command> --help` for a command's options.",
  ].join("\n");
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
  const loaded = await sub.load();
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(loaded.usage + "\n");
    return 0;
  }
  return loaded.run(rest, early.signals);
}
