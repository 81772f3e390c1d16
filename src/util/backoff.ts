/**
 * Reconnect delays for remote clusters: doubling from minMs to maxMs, each
 * delay jittered down to half so that many operators restarting together do
 * not reconnect in lockstep.
 */
export interface BackoffOptions {
  readonly minMs: number;
  readonly maxMs: number;
  /** In [0, 1); Math.random by default (tests pass a fixed one). */
  readonly random?: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { minMs: 1000, maxMs: 30_000 };

/** Delay before retry number `attempt` (0-based): in [d/2, d] for d = min(max, min·2^attempt). */
export function jitteredDelay(attempt: number, opts: BackoffOptions): number {
  const d = Math.min(opts.maxMs, opts.minMs * 2 ** Math.min(Math.max(0, attempt), 30));
  const r = (opts.random ?? Math.random)();
  return Math.round(d / 2 + (d / 2) * r);
}

/** Attempt counter with reset: `next()` gives the delay for the next retry. */
export class Backoff {
  readonly #opts: BackoffOptions;
  #attempt = 0;

  constructor(opts: BackoffOptions = DEFAULT_BACKOFF) {
    this.#opts = opts;
  }

  next(): number {
    return jitteredDelay(this.#attempt++, this.#opts);
  }

  reset(): void {
    this.#attempt = 0;
  }

  get attempt(): number {
    return this.#attempt;
  }
}
