/**
 * The one applier of table `inet weft` (thin): services, ipcache and policy
 * sets together, from ONE shadow of the table, in ONE transaction per sync.
 *
 * On the first sync, after any failure and after markDirty() it reads the
 * whole table back (one `nft -j list table inet weft`) instead of trusting
 * the shadow, and the transaction then also re-applies the static part of the
 * table (`compileNftTable()`: objects `add`ed, never flushed; static chains
 * flushed and rewritten) through `nft -f -`. Otherwise only the difference is
 * sent, element by element, to a long-lived `nft -i` when given one
 * (nftSession.ts), else through `nft -f -`; nothing to change runs no
 * command. The table is never flushed or deleted: a restarted agent reads it,
 * finds what is right, changes only what differs, and established
 * connections keep their conntrack entries.
 */
import type { NetTools } from '../netTools.ts';
import { LazyNftSession } from './nftSession.ts';
import type { NftSession } from './nftSession.ts';
import { compileNftTable } from './nftTable.ts';
import { readTableState } from './tableKernel.ts';
import { emptyTableState, planTableSync, tableStateAfter } from './tablePlan.ts';
import type { NftTableChanges, NftTableDesired, NftTableState } from './tablePlan.ts';

export interface NftTableSyncReport {
  /** The table was read back and its static part re-applied (first sync, after a failure, or markDirty()). */
  readonly fullResync: boolean;
  /** nft invocations: the read (on a full resync) and the transaction (`nft -f -` or one session line). At most 2. */
  readonly commands: number;
  /** Element and chain commands of the difference (the static table is not counted); 0 when nothing changed. */
  readonly lines: number;
  readonly changes: NftTableChanges;
}

/** What the agent's DatapathSync drives: NftTableApplier on a node, FakeTableApplier (fake.ts) in tests. */
export interface TableApplier {
  /** Make the table match `desired` in one transaction; throws on failure (the next sync then reads the table back). */
  sync(desired: NftTableDesired): Promise<NftTableSyncReport>;
  /** Read the table back on the next sync (periodic repair of outside changes). */
  markDirty(): void;
  /** Release what the applier holds open (its nft session). */
  close(): Promise<void>;
}

export interface NftTableApplierOptions {
  /**
   * Opens a long-lived `nft -i` for the transactions of syncs that need no read-back; without it
   * every transaction is an `nft -f -`. A failed session is closed and a new one opened later.
   */
  session?: () => NftSession;
}

export class NftTableApplier implements TableApplier {
  readonly #tools: NetTools;
  readonly #session: LazyNftSession | undefined;
  #shadow: NftTableState = emptyTableState();
  #dirty = true;

  constructor(tools: NetTools, opts: NftTableApplierOptions = {}) {
    this.#tools = tools;
    this.#session = opts.session === undefined ? undefined : new LazyNftSession(opts.session);
  }

  markDirty(): void {
    this.#dirty = true;
  }

  async close(): Promise<void> {
    await this.#session?.close();
  }

  /** Run the transaction; the number of nft invocations it took (0 or 1). */
  async #apply(fullResync: boolean, lines: readonly string[]): Promise<number> {
    if (fullResync || this.#session === undefined) {
      const text = `${fullResync ? compileNftTable() : ''}${lines.map((l) => `${l}\n`).join('')}`;
      if (text === '') return 0;
      await this.#tools.run('nft', ['-f', '-'], text);
      return 1;
    }
    if (lines.length === 0) return 0;
    await this.#session.apply(lines);
    return 1;
  }

  async sync(desired: NftTableDesired): Promise<NftTableSyncReport> {
    const fullResync = this.#dirty;
    let commands = 0;
    try {
      if (fullResync) {
        this.#shadow = await readTableState(this.#tools);
        commands++;
      }
      const plan = planTableSync(desired, this.#shadow);
      commands += await this.#apply(fullResync, plan.lines);
      this.#shadow = tableStateAfter(desired);
      this.#dirty = false;
      return { fullResync, commands, lines: plan.lines.length, changes: plan.changes };
    } catch (err) {
      this.#dirty = true;
      throw err;
    }
  }
}
