/** The state machine's parameters (state-machine.ts RouterParams) from an instance's config. */
import type { InstanceConfig } from "../config/types.js";
import type { RouterParams } from "../vrrp/state-machine.js";

/** `primaryAddress`: the address its adverts leave from (the socket's source). */
export function routerParams(config: InstanceConfig, primaryAddress: string): RouterParams {
  return {
    version: config.version,
    priority: config.priority,
    advertIntervalMs: config.advertIntervalMs,
    preempt: config.preempt,
    preemptDelayMs: config.preemptDelayMs,
    initialState: config.initialState,
    primaryAddress,
    garpDelayMs: config.garp.delayMs,
    garpRefreshMs: config.garp.refreshMs,
    garpLowerPriorityRepeat: config.garp.lowerPriorityRepeat,
    garpLowerPriorityDelayMs: config.garp.lowerPriorityDelayMs,
  };
}
