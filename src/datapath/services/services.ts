/**
 * NftServices (thin): makes the service objects of table `inet weft` match
 * compileServices() output. Keeps a shadow copy of what the kernel holds; on
 * the first sync, after any failure and after markDirty() it re-reads the
 * kernel (`nft -j list table inet weft`) instead, and re-applies the static
 * part of the table in the same transaction. Every sync is at most ONE
 * transaction (`nft -f -`, or a line to a long-lived `nft -i` when given one);
 * a sync with nothing to change runs no command.
 * The table is never flushed or deleted: connections keep their conntrack
 * entries across agent restarts.
 */
import { isWeftError, ErrorCode } from '../../errors.ts';
import { compileNftTable, NFT_FAMILY, NFT_TABLE } from '../nft/nftTable.ts';
import type { NetTools } from '../netTools.ts';
import { LazyNftSession } from '../nft/nftSession.ts';
import type { NftSession } from '../nft/nftSession.ts';
import type { ServiceNftDesired } from './servicesCompile.ts';
import { emptyServiceState, parseServiceState } from './servicesKernel.ts';
import type { ServiceNftState } from './servicesKernel.ts';
import { planServiceSync, serviceStateAfter } from './servicesPlan.ts';
import type { ServicePlanChanges } from './servicesPlan.ts';

export interface ServiceSyncReport {
  /** The kernel was re-read (first sync, after a failure, or markDirty()). */
  readonly fullResync: boolean;
  /** nft invocations: the read, the transaction (`nft -f -` or one session line). */
  readonly commands: number;
  /** Commands in the transaction (0 when none ran). */
  readonly lines: number;
  readonly changes: ServicePlanChanges;
}

async function readKernel(tools: NetTools): Promise<ServiceNftState> {
  try {
    return parseServiceState(await tools.run('nft', ['-j', 'list', 'table', NFT_FAMILY, NFT_TABLE]));
  } catch (err) {
    if (isWeftError(err, ErrorCode.CommandFailed) && /No such file or directory/.test(err.message)) return emptyServiceState();
    throw err;
  }
}

export interface NftServicesOptions {
  /**
   * Opens a long-lived `nft -i` (nftSession.ts) for the small transactions of syncs that need no
   * kernel read; without it every transaction is an `nft -f -`. A failed session is closed and a
   * new one opened on the next sync.
   */
  session?: () => NftSession;
}

export class NftServices {
  readonly #tools: NetTools;
  readonly #session: LazyNftSession | undefined;
  #shadow: ServiceNftState = emptyServiceState();
  #dirty = true;

  constructor(tools: NetTools, opts: NftServicesOptions = {}) {
    this.#tools = tools;
    this.#session = opts.session === undefined ? undefined : new LazyNftSession(opts.session);
  }

  /** Close the session, if any (the agent on shutdown). */
  async close(): Promise<void> {
    await this.#session?.close();
  }

  async #apply(fullResync: boolean, lines: readonly string[]): Promise<number> {
    if (fullResync || this.#session === undefined) {
      const text = `${fullResync ? compileNftTable() : ''}${lines.map((l) => `${l}\n`).join('')}`;
      if (text === '') return 0;
      await this.#tools.run('nft', ['-f', '-'], text);
      return text.split('\n').length - 1;
    }
    if (lines.length === 0) return 0;
    await this.#session.apply(lines);
    return lines.length;
  }

  /** Re-read the kernel on the next sync (e.g. periodically, or after someone else touched the table). */
  markDirty(): void {
    this.#dirty = true;
  }

  async sync(desired: ServiceNftDesired): Promise<ServiceSyncReport> {
    const fullResync = this.#dirty;
    let commands = 0;
    try {
      if (fullResync) {
        this.#shadow = await readKernel(this.#tools);
        commands++;
      }
      const plan = planServiceSync(desired, this.#shadow);
      const lines = await this.#apply(fullResync, plan.lines);
      if (lines > 0) commands++;
      this.#shadow = serviceStateAfter(desired);
      this.#dirty = false;
      return { fullResync, commands, lines, changes: plan.changes };
    } catch (err) {
      this.#dirty = true;
      throw err;
    }
  }
}
