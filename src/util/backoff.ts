/**
 * The one retry backoff: delays doubling from minMs to maxMs. Jittered by
 * default (each delay drawn down to as little as half, so that many
 * operators restarting together do not reconnect in lockstep); `jitter:
 * false` gives the plain doubling sequence (watch-store relists, the sync
 * marker, pod restarts).
 */
export interface BackoffOptions {
  readonly minMs: number;
  readonly maxMs: number;
  /** Default true. */
  readonly jitter?: boolean;
  /** In [0, 1); Math.random by default (tests pass a fixed one). */
  readonly random?: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { minMs: 1000, maxMs: 30_000 };

/** Delay before retry number `attempt` (0-based): min·2^attempt, capped at max. */
export function backoffDelay(attempt: number, minMs: number, maxMs: number): number {
  return Math.min(maxMs, minMs * 2 ** Math.min(Math.max(0, attempt), 30));
}

/** Delay before retry number `attempt` (0-based): in [d/2, d] for d = backoffDelay(attempt). */
export function jitteredDelay(attempt: number, opts: BackoffOptions): number {
  const d = backoffDelay(attempt, opts.minMs, opts.maxMs);
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
    const attempt = this.#attempt++;
    return this.#opts.jitter === false ? backoffDelay(attempt, this.#opts.minMs, this.#opts.maxMs) : jitteredDelay(attempt, this.#opts);
  }

  reset(): void {
    this.#attempt = 0;
  }

  get attempt(): number {
    return this.#attempt;
  }
}
