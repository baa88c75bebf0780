/**
 * The controller as the API-server tests run it: the real Controller over
 * client-node against the test server, the system clock, a silent logger
 * and a 20 ms debounce so that tests converge quickly. LoadBalancer Services
 * are served unless `loadBalancers: false`; anything else can be overridden.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { systemClock } from "../../base/clock.js";
import { jsonLogger } from "../../base/logger.js";
import { Controller, type ControllerDeps } from "../../operator/controller/controller.js";
import { clientNodeControllerApi } from "../../operator/controller/kube-api.js";
import { ControllerMetrics } from "../../operator/controller/metrics.js";

export interface TestControllerOptions extends Partial<Omit<ControllerDeps, "loadBalancers">> {
  /** Serve LoadBalancer Services of floatip's class (default true). */
  readonly loadBalancers?: boolean;
}

export function testController(kubeConfig: KubeConfig, namespace: string, options: TestControllerOptions = {}): Controller {
  const { loadBalancers = true, ...overrides } = options;
  const api = clientNodeControllerApi(kubeConfig, namespace);
  return new Controller({
    api,
    clock: systemClock(),
    wallClock: () => new Date(),
    logger: jsonLogger({ write: () => undefined, wallClock: () => new Date() }),
    metrics: new ControllerMetrics(),
    secretNamespace: namespace,
    debounceMs: 20,
    ...(loadBalancers ? { loadBalancers: { api, defaultClass: false } } : {}),
    ...overrides,
  });
}
