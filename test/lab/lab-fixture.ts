/**
 * The set-up most lab test files share, registered on the enclosing
 * `describe`: a fresh Lab and scratch directory before its tests, and after
 * them every speaker the tests started stopped by pid, then the file's own
 * clean-up, the address watch, the namespaces and the scratch directory
 * removed, also when a test failed.
 *
 *     describe("...", () => {
 *       const fx = useLab({ nodes: 2, client: false, stopSignal: "SIGKILL" });
 *       it("...", async () => {
 *         fx.running.push(startAgent({ lab: fx.lab, host: fx.lab.nodes[0]!, scratch: fx.scratch, config }));
 *       });
 *     });
 */
import { after, before } from "node:test";
import { createLab, type Lab, type LabOptions } from "./netns.js";
import { AddressWatch, Scratch, stopSpeaker, type Speaker } from "./vrrp-lab.js";

export interface LabFixtureOptions extends LabOptions {
  /** How the speakers still running after the tests are stopped (default SIGTERM). */
  readonly stopSignal?: NodeJS.Signals;
  /** Start an AddressWatch on every node before the tests. */
  readonly watch?: boolean;
  /** The file's own clean-up, after the speakers stopped and before the lab goes. */
  readonly cleanup?: () => void | Promise<void>;
}

export interface LabFixture {
  readonly lab: Lab;
  readonly scratch: Scratch;
  /** Only with `watch: true`. */
  readonly watch: AddressWatch;
  /** Speakers the tests started: whatever is left here is stopped after the tests. */
  readonly running: Speaker[];
}

export function useLab(options: LabFixtureOptions): LabFixture {
  const { stopSignal = "SIGTERM", watch: wantWatch = false, cleanup, ...labOptions } = options;
  const running: Speaker[] = [];
  let lab: Lab | undefined;
  let scratch: Scratch | undefined;
  let watch: AddressWatch | undefined;
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`lab fixture: ${what} is used before the describe's before hook ran`);
    return value;
  };

  before(async () => {
    lab = await createLab(labOptions);
    scratch = new Scratch();
    if (wantWatch) {
      watch = new AddressWatch(lab);
      await watch.start(lab.nodes);
    }
  });
  after(async () => {
    if (lab !== undefined) {
      const current = lab;
      await Promise.all(running.splice(0).map((s) => stopSpeaker(current, s, stopSignal)));
    }
    await cleanup?.();
    await watch?.stop();
    await lab?.destroy();
    scratch?.cleanup();
  });

  return {
    get lab() {
      return ready(lab, "the lab");
    },
    get scratch() {
      return ready(scratch, "the scratch directory");
    },
    get watch() {
      return ready(watch, "the address watch (useLab({ watch: true }))");
    },
    running,
  };
}
