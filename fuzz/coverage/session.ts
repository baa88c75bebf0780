/**
 * The edge of the coverage-guided driver: V8 precise block coverage of this
 * thread through node:inspector. `take()` returns the blocks that ran since
 * the previous call (with callCount on, taking the coverage resets the
 * counts). A same-thread inspector session answers synchronously.
 */
import { Session } from "node:inspector";
import type { ScriptCoverage } from "./novelty.js";

export interface CoverageSession {
  /** The coverage since the last take (or start), then counting starts afresh. */
  take(): readonly ScriptCoverage[];
  stop(): void;
}

function postSync<T>(session: Session, method: string, params?: object): T {
  let out: { error: Error | null; result: T } | undefined;
  session.post(method, params ?? {}, (error: Error | null, result?: object) => {
    out = { error, result: result as T };
  });
  if (out === undefined) throw new Error(`inspector ${method} did not answer synchronously`);
  if (out.error) throw out.error;
  return out.result;
}

export function startCoverage(): CoverageSession {
  const session = new Session();
  session.connect();
  postSync(session, "Profiler.enable");
  postSync(session, "Profiler.startPreciseCoverage", { callCount: true, detailed: true });
  return {
    take: () => postSync<{ result: ScriptCoverage[] }>(session, "Profiler.takePreciseCoverage").result,
    stop() {
      postSync(session, "Profiler.stopPreciseCoverage");
      postSync(session, "Profiler.disable");
      session.disconnect();
    },
  };
}
