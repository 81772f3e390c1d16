/**
 * In-memory TableApplier for tests of its callers (the agent's
 * DatapathSync): records every desired table and plans against an in-memory
 * "kernel" with the same planner as NftTableApplier, so its reports match the
 * real applier's (same contract tests, tableApplier.contract.ts).
 */
import { emptyTableState, planTableSync, tableStateAfter } from './tablePlan.ts';
import type { NftTableDesired, NftTableState } from './tablePlan.ts';
import type { NftTableSyncReport, TableApplier } from './tableApplier.ts';

/** The table a fake applier writes; share one between appliers to simulate an agent restart. */
export class FakeNftTable {
  state: NftTableState = emptyTableState();
}

export class FakeTableApplier implements TableApplier {
  readonly table: FakeNftTable;
  /** Every desired table passed to sync, in order. */
  readonly history: NftTableDesired[] = [];
  closed = false;
  #dirty = true;
  #failNext: Error | undefined;

  constructor(table: FakeNftTable = new FakeNftTable()) {
    this.table = table;
  }

  get last(): NftTableDesired | undefined {
    return this.history.at(-1);
  }

  /** The next sync throws `err` (after recording its input), leaves the table untouched and makes the one after it a full resync. */
  failNext(err: Error): void {
    this.#failNext = err;
  }

  markDirty(): void {
    this.#dirty = true;
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  sync(desired: NftTableDesired): Promise<NftTableSyncReport> {
    this.history.push(desired);
    const fullResync = this.#dirty;
    const err = this.#failNext;
    if (err !== undefined) {
      this.#failNext = undefined;
      this.#dirty = true;
      return Promise.reject(err);
    }
    const plan = planTableSync(desired, this.table.state);
    this.table.state = tableStateAfter(desired);
    this.#dirty = false;
    // As the real applier: a full resync is a read plus a transaction holding the static table.
    const commands = fullResync ? 2 : plan.lines.length > 0 ? 1 : 0;
    return Promise.resolve({ fullResync, commands, lines: plan.lines.length, changes: plan.changes });
  }
}
