/**
 * A coalescing, serial trigger: many `trigger()` calls within `delayMs` cause
 * one run of `fn`; runs never overlap; a trigger during a run causes exactly
 * one more run after it. Errors go to `onError` and the next trigger retries.
 */
export interface Trigger {
  trigger(): void;
  /** Resolves once no run is pending or in progress. */
  idle(): Promise<void>;
  close(): void;
}

export function createTrigger(fn: () => Promise<void>, delayMs: number, onError: (err: unknown) => void): Trigger {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;
  const waiters: (() => void)[] = [];

  const settleWaiters = (): void => {
    if (timer !== undefined || running !== undefined || again) return;
    for (const w of waiters.splice(0)) w();
  };

  const run = (): void => {
    timer = undefined;
    if (closed) return settleWaiters();
    if (running !== undefined) {
      again = true;
      return;
    }
    running = fn()
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
    close: () => {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      settleWaiters();
    },
  };
}
