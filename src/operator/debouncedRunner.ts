/**
 * Runs an async pass `delayMs` after the first trigger of a burst, never two
 * passes at once; a trigger during a pass schedules one more pass after it.
 */
export class DebouncedRunner {
  readonly #run: () => Promise<void>;
  readonly #delayMs: number;
  readonly #onError: (err: unknown) => void;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #closed = false;

  constructor(run: () => Promise<void>, delayMs: number, onError: (err: unknown) => void) {
    this.#run = run;
    this.#delayMs = delayMs;
    this.#onError = onError;
  }

  trigger(): void {
    if (this.#closed) return;
    if (this.#running !== undefined) {
      this.#again = true;
      return;
    }
    this.#timer ??= setTimeout(() => this.#fire(), this.#delayMs);
  }

  #fire(): void {
    this.#timer = undefined;
    if (this.#closed) return;
    this.#running = this.#run()
      .catch((err: unknown) => this.#onError(err))
      .finally(() => {
        this.#running = undefined;
        if (this.#again) {
          this.#again = false;
          this.trigger();
        }
      });
  }

  /** Stop triggering; resolves once a pass in progress has finished. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
