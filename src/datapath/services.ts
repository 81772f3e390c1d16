/**
 * NftServices (thin): makes the service objects of table `inet weft` match
 * compileServices() output. Keeps a shadow copy of what the kernel holds; on
 * the first sync, after any failure and after markDirty() it re-reads the
 * kernel (`nft -j list table inet weft`) instead, and re-applies the static
 * part of the table in the same transaction. Every sync is at most ONE
 * `nft -f -` transaction; a sync with nothing to change runs no command.
 * The table is never flushed or deleted: connections keep their conntrack
 * entries across agent restarts.
 */
import { isWeftError, ErrorCode } from '../errors.ts';
import { compileNftTable, NFT_FAMILY, NFT_TABLE } from './nftTable.ts';
import type { NetTools } from './netTools.ts';
import type { ServiceNftDesired } from './servicesCompile.ts';
import { emptyServiceState, parseServiceState } from './servicesKernel.ts';
import type { ServiceNftState } from './servicesKernel.ts';
import { planServiceSync, serviceStateAfter } from './servicesPlan.ts';
import type { ServicePlanChanges } from './servicesPlan.ts';

export interface ServiceSyncReport {
  /** The kernel was re-read (first sync, after a failure, or markDirty()). */
  readonly fullResync: boolean;
  /** `nft` processes run (the read counts). */
  readonly commands: number;
  /** Lines of the transaction (0 when none ran). */
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

export class NftServices {
  readonly #tools: NetTools;
  #shadow: ServiceNftState = emptyServiceState();
  #dirty = true;

  constructor(tools: NetTools) {
    this.#tools = tools;
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
      const text = `${fullResync ? compileNftTable() : ''}${plan.lines.map((l) => `${l}\n`).join('')}`;
      if (text !== '') {
        await this.#tools.run('nft', ['-f', '-'], text);
        commands++;
      }
      this.#shadow = serviceStateAfter(desired);
      this.#dirty = false;
      return { fullResync, commands, lines: text === '' ? 0 : text.split('\n').length - 1, changes: plan.changes };
    } catch (err) {
      this.#dirty = true;
      throw err;
    }
  }
}
