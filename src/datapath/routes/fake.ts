/**
 * In-memory DatapathApplier for tests of its callers (the agent): records
 * every desired state and plans against an in-memory "kernel", so its reports
 * match the real applier's (same contract tests).
 */
import { planSync, stateAfter } from './plan.ts';
import type { DatapathApplier, DesiredDatapath, KernelState, SyncReport } from './types.ts';

/** The state a fake applier writes; share one between appliers to simulate a process restart. */
export class FakeKernel {
  state: KernelState = { routes: [], vxlan: undefined, neighbours: [], fdb: [] };
}

export class FakeDatapathApplier implements DatapathApplier {
  readonly kernel: FakeKernel;
  /** Every desired state passed to sync, in order. */
  readonly history: DesiredDatapath[] = [];
  #failNext: Error | undefined;
  #dirty = true;

  constructor(kernel: FakeKernel = new FakeKernel()) {
    this.kernel = kernel;
  }

  get last(): DesiredDatapath | undefined {
    return this.history.at(-1);
  }

  /** The next sync throws `err` (after recording its input) and leaves the kernel untouched. */
  failNext(err: Error): void {
    this.#failNext = err;
  }

  sync(desired: DesiredDatapath): Promise<SyncReport> {
    this.history.push(structuredClone(desired));
    const fullResync = this.#dirty;
    const err = this.#failNext;
    if (err !== undefined) {
      this.#failNext = undefined;
      this.#dirty = true;
      return Promise.reject(err);
    }
    const plan = planSync(desired, this.kernel.state);
    this.kernel.state = stateAfter(desired);
    this.#dirty = false;
    return Promise.resolve({
      fullResync,
      device: plan.device,
      changes: plan.changes,
      commands: [...plan.ipLines.map((l) => `ip ${l}`), ...plan.bridgeLines.map((l) => `bridge ${l}`)],
    });
  }
}
