/**
 * The one coalescing, serial trigger: many `trigger()` calls within `delayMs`
 * cause one run of `fn`; runs never overlap; a trigger during a run causes
 * exactly one more run after it. Errors go to `onError` and the next trigger
 * retries. A run that resolves to 'quiet' reports that it found nothing to
 * do: `quiet()` waits for such a run (the operator's "converged").
 */
export interface Trigger {
  trigger(): void;
  /** Resolves once no run is pending or in progress (after close(): once the run in progress has finished). */
  idle(): Promise<void>;
  /** Triggers a run; resolves after the first run from now on that found nothing to do, or when closed. */
  quiet(): Promise<void>;
  /** No more runs; a run in progress finishes (await idle() for it). */
  close(): void;
}

export type RunResult = void | 'quiet';

export function createTrigger(fn: () => Promise<RunResult>, delayMs: number, onError: (err: unknown) => void): Trigger {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;
  const waiters: (() => void)[] = [];
  let quietWaiters: (() => void)[] = [];

  const settleWaiters = (): void => {
    if (timer !== undefined || running !== undefined || again) return;
    for (const w of waiters.splice(0)) w();
    if (closed) settleQuiet();
  };

  const settleQuiet = (): void => {
    const ws = quietWaiters;
    quietWaiters = [];
    for (const w of ws) w();
  };

  const run = (): void => {
    timer = undefined;
    if (closed) return settleWaiters();
    if (running !== undefined) {
      again = true;
      return;
    }
    running = fn()
      .then((result) => {
        if (result === 'quiet') settleQuiet();
      })
      .catch(onError)
      .finally(() => {
        running = undefined;
        if (again && !closed) {
          again = false;
          schedule();
        } else {
          again = false;
          settleWaiters();
        }
      });
  };

  const schedule = (): void => {
    if (closed || timer !== undefined) return;
    timer = setTimeout(run, delayMs);
  };

  return {
    trigger: schedule,
    idle: () =>
      new Promise<void>((resolve) => {
        waiters.push(resolve);
        settleWaiters();
      }),
    quiet: () =>
      new Promise<void>((resolve) => {
        quietWaiters.push(resolve);
        if (closed) settleWaiters();
        else schedule();
      }),
    close: () => {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      settleWaiters();
    },
  };
}
