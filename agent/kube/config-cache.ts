/**
 * The last applied config, cached on the node so the agent runs VRRP with
 * it across its own restart while the API server is unreachable. The file
 * holds resolved passwords, so it is written 0600 and atomically.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { AgentConfig, VirtualAddress } from "../config/types.js";
import { validateAgentConfig } from "../config/validate.js";

export interface CachedConfig {
  readonly generation: number;
  readonly config: AgentConfig;
}

export interface ConfigCache {
  load(): Promise<CachedConfig | undefined>;
  save(entry: CachedConfig): Promise<void>;
}

/** A cache file in `dir` (the chart mounts a hostPath there). */
export function fileConfigCache(dir: string, onProblem: (message: string) => void): ConfigCache {
  const file = join(dir, "vrrpnode-config.json");
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(file, "utf8");
      } catch {
        return undefined;
      }
      try {
        const parsed = JSON.parse(text) as { generation?: unknown; config?: unknown };
        // The config was valid when saved; validate again in case the file was edited or is from another version.
        const checked = validateAgentConfig(parsed.config, { kubernetes: true });
        if (!checked.ok || typeof parsed.generation !== "number") {
          onProblem(`ignoring the config cache ${file}: ${checked.ok ? "no generation" : checked.errors[0]?.message}`);
          return undefined;
        }
        return { generation: parsed.generation, config: checked.config };
      } catch (error) {
        onProblem(`ignoring the unreadable config cache ${file}: ${(error as Error).message}`);
        return undefined;
      }
    },
    async save(entry) {
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      const temp = `${file}.${process.pid}.tmp`;
      await writeFile(temp, JSON.stringify(toDocument(entry)), { mode: 0o600 });
      await rename(temp, file);
    },
  };
}

/** The validated AgentConfig back in the YAML-form schema (durations in ms strings) so it validates again on load. */
function toDocument(entry: CachedConfig): unknown {
  const ms = (v: number) => `${v}ms`;
  return {
    generation: entry.generation,
    config: {
      scripts: entry.config.scripts.map((s) => ({
        ...s,
        intervalMs: undefined,
        timeoutMs: undefined,
        interval: ms(s.intervalMs),
        timeout: ms(s.timeoutMs),
      })),
      trackFiles: entry.config.trackFiles,
      instances: entry.config.instances.map((i) => ({
        name: i.name,
        interface: i.interface,
        virtualRouterID: i.virtualRouterId,
        version: i.version,
        priority: i.priority,
        advertisementInterval: ms(i.advertIntervalMs),
        preempt: i.preempt,
        preemptDelay: ms(i.preemptDelayMs),
        initialState: i.initialState,
        addresses: i.addresses.map(addressItem),
        ...(i.excludedAddresses !== undefined ? { excludedAddresses: i.excludedAddresses.map(addressItem) } : {}),
        ...(i.authentication !== undefined ? { authentication: i.authentication } : {}),
        ...(i.unicast !== undefined ? { unicast: i.unicast } : {}),
        garp: {
          repeat: i.garp.repeat,
          delay: ms(i.garp.delayMs),
          refresh: ms(i.garp.refreshMs),
          refreshRepeat: i.garp.refreshRepeat,
          interval: ms(i.garp.intervalMs),
          lowerPriorityRepeat: i.garp.lowerPriorityRepeat,
          lowerPriorityDelay: ms(i.garp.lowerPriorityDelayMs),
        },
        track: i.track,
        ...(i.notify !== undefined ? { notify: { ...i.notify, timeoutMs: undefined, timeout: ms(i.notify.timeoutMs) } } : {}),
        ...(i.stateFile !== undefined ? { stateFile: i.stateFile } : {}),
      })),
    },
  };
}

function addressItem(a: VirtualAddress): { address: string; device?: string; label?: string } {
  return {
    address: `${a.address}/${a.prefixLength}`,
    ...(a.device !== undefined ? { device: a.device } : {}),
    ...(a.label !== undefined ? { label: a.label } : {}),
  };
}
