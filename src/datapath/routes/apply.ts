/**
 * Apply a desired datapath to the kernel (thin): diff it against a shadow copy
 * of what Weft owns, then run ONE `ip -batch -` (+ one `bridge -batch -` for
 * the FDB). The kernel is read back on the first sync, after any failure and
 * every `resyncIntervalMs`; otherwise the shadow is trusted, so a sync with an
 * unchanged desired state runs no command at all.
 */
import type { NetTools } from '../netTools.ts';
import { readKernelState } from './kernelState.ts';
import { planSync, stateAfter } from './plan.ts';
import type { DatapathApplier, DesiredDatapath, KernelState, SyncReport } from './types.ts';

export interface KernelApplierOptions {
  tools: NetTools;
  /** Re-read the kernel at least this often to repair outside changes; default 60 s. */
  resyncIntervalMs?: number;
  now?: () => number;
}

export class KernelDatapathApplier implements DatapathApplier {
  readonly #tools: NetTools;
  readonly #resyncIntervalMs: number;
  readonly #now: () => number;
  #shadow: KernelState | undefined;
  #dirty = true;
  #lastReadAt = 0;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(opts: KernelApplierOptions) {
    this.#tools = opts.tools;
    this.#resyncIntervalMs = opts.resyncIntervalMs ?? 60_000;
    this.#now = opts.now ?? Date.now;
  }

  /** Force the next sync to re-read the kernel (e.g. after an outside change). */
  markDirty(): void {
    this.#dirty = true;
  }

  /** Syncs run one at a time, in call order. */
  sync(desired: DesiredDatapath): Promise<SyncReport> {
    const run = this.#queue.then(() => this.#syncNow(desired));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #syncNow(desired: DesiredDatapath): Promise<SyncReport> {
    const fullResync = this.#dirty || this.#shadow === undefined || this.#now() - this.#lastReadAt >= this.#resyncIntervalMs;
    this.#dirty = true; // until this sync has fully succeeded
    let current = this.#shadow;
    if (fullResync || current === undefined) {
      current = await readKernelState(this.#tools);
      this.#lastReadAt = this.#now();
    }
    const plan = planSync(desired, current);
    if (plan.ipLines.length > 0) await this.#tools.run('ip', ['-force', '-batch', '-'], `${plan.ipLines.join('\n')}\n`);
    if (plan.bridgeLines.length > 0) await this.#tools.run('bridge', ['-force', '-batch', '-'], `${plan.bridgeLines.join('\n')}\n`);
    this.#shadow = stateAfter(desired);
    this.#dirty = false;
    return {
      fullResync,
      device: plan.device,
      changes: plan.changes,
      commands: [...plan.ipLines.map((l) => `ip ${l}`), ...plan.bridgeLines.map((l) => `bridge ${l}`)],
    };
  }
}
