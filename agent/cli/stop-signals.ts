/**
 * The agent's signals, caught from its first moment: a SIGTERM, SIGINT or
 * SIGHUP that comes while the agent is still starting (reading its config,
 * opening sockets, starting hundreds of instances) must not kill it by the
 * default action, which would leave virtual addresses on the interface and
 * send no priority-0 advert.
 *
 * - Stop (SIGTERM, SIGINT): the first one is kept; whoever asks onStop()
 *   later is told at once. Repeats are ignored (the stop is under way).
 * - SIGHUP: while no reloader listens (on("SIGHUP")) the signal is only
 *   noted; a reloader that starts listening gets one call for what it
 *   missed (standalone: the config file may have changed since start read
 *   it). With --kubernetes there is nothing to reload: it is ignored.
 *
 * The listeners stay for the life of the process, so no signal ever meets
 * the default action.
 */
export type StopSignal = "SIGTERM" | "SIGINT";

/** The part of `process` this listens on. */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
}

export class StopSignals {
  private received: StopSignal | undefined;
  private stopListener: ((signal: StopSignal) => void) | undefined;
  private hangups = 0;
  private hangupListener: (() => void) | undefined;

  constructor(private readonly source: SignalSource) {}

  /** Installs the listeners (call before anything is touched). */
  listen(): this {
    const stop = (signal: NodeJS.Signals) => this.stop(signal as StopSignal);
    this.source.on("SIGTERM", stop);
    this.source.on("SIGINT", stop);
    this.source.on("SIGHUP", () => {
      if (this.hangupListener !== undefined) this.hangupListener();
      else this.hangups++;
    });
    return this;
  }

  /** Signals a launcher caught before this listened, in order. */
  replay(signals: readonly NodeJS.Signals[]): void {
    for (const signal of signals) {
      if (signal === "SIGHUP") this.hangups++;
      else this.stop(signal as StopSignal);
    }
  }

  /** The stop signal received so far, if any. */
  get stopRequested(): StopSignal | undefined {
    return this.received;
  }

  /** Calls `listener` synchronously on the first stop signal, or now if one came already. */
  onStop(listener: (signal: StopSignal) => void): void {
    this.stopListener = listener;
    if (this.received !== undefined) listener(this.received);
  }

  /** A reloader listens for SIGHUP from now on; a SIGHUP that came while none listened is passed on now. */
  on(_signal: "SIGHUP", listener: () => void): void {
    this.hangupListener = listener;
    if (this.hangups > 0) {
      this.hangups = 0;
      listener();
    }
  }

  /** The reloader stopped listening: SIGHUP is only noted again. */
  off(_signal: "SIGHUP", listener: () => void): void {
    if (this.hangupListener === listener) this.hangupListener = undefined;
  }

  private stop(signal: StopSignal): void {
    if (this.received !== undefined) return;
    this.received = signal;
    this.stopListener?.(signal);
  }
}
