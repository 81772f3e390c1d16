/**
 * At most `max` holders at once; the others wait in order. The reflector
 * uses one to bound how many remotes do their initial list at the same
 * time, which bounds the operator's peak memory with many remotes.
 */
export class Limiter {
  readonly #max: number;
  #held = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(max: number) {
    this.#max = Math.max(1, max);
  }

  /** Resolves with a release function once a slot is free (release is idempotent). */
  async acquire(): Promise<() => void> {
    if (this.#held >= this.#max) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#held++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next !== undefined) next();
      else this.#held--;
    };
  }

  get held(): number {
    return this.#held;
  }
}
