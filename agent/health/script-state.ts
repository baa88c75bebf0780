/**
 * The fall/rise counting of a check script, as a pure function, following
 * keepalived's vrrp_script semantics:
 *
 *  - A script starts "init" (no result yet) unless init_fail, then "failed".
 *    From "init" the first result decides at once, whatever rise and fall
 *    are (keepalived: "one success is enough", and one failure fails).
 *  - "ok" becomes "failed" after `fall` consecutive failures.
 *  - "failed" becomes "ok" after `rise` consecutive successes.
 *  - A result of the other kind resets the streak.
 */

export type ScriptHealth = "init" | "ok" | "failed";

export interface ScriptCounter {
  readonly health: ScriptHealth;
  /** Consecutive results contradicting `health` so far. */
  readonly streak: number;
}

export interface RiseFall {
  readonly rise: number;
  readonly fall: number;
}

export function initialCounter(initFail: boolean): ScriptCounter {
  return { health: initFail ? "failed" : "init", streak: 0 };
}

export function countResult(counter: ScriptCounter, success: boolean, limits: RiseFall): ScriptCounter {
  switch (counter.health) {
    case "init":
      return { health: success ? "ok" : "failed", streak: 0 };
    case "ok":
      if (success) return { health: "ok", streak: 0 };
      return counter.streak + 1 >= limits.fall ? { health: "failed", streak: 0 } : { health: "ok", streak: counter.streak + 1 };
    case "failed":
      if (!success) return { health: "failed", streak: 0 };
      return counter.streak + 1 >= limits.rise ? { health: "ok", streak: 0 } : { health: "failed", streak: counter.streak + 1 };
  }
}
