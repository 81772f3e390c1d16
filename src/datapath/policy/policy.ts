/**
 * NftPolicy (thin): makes the policy sets of table `inet weft` match
 * compilePolicySets() output. Keeps a shadow copy of what the kernel holds;
 * on the first sync, after any failure and after markDirty() it re-applies the
 * static part of the table (sets declared with `add`, never flushed; chains
 * flushed and rewritten) and re-reads the 8 policy sets from the kernel, so an
 * agent restart never flushes anything: it changes only what differs.
 * Every sync is at most ONE transaction of element commands (`nft -f -`, or a
 * line to a long-lived `nft -i` when given one); nothing to change, no command.
 */
import { compileNftTable, NFT_FAMILY, NFT_TABLE } from '../nft/nftTable.ts';
import type { NetTools } from '../netTools.ts';
import { LazyNftSession } from '../nft/nftSession.ts';
import type { NftSession } from '../nft/nftSession.ts';
import { POLICY_SETS } from './policyCompile.ts';
import type { EndpointPolicyElements, PolicyNftDesired } from './policyCompile.ts';
import { groupPolicyElements, parsePolicySetElements } from './policyKernel.ts';
import { planPolicySync } from './policyPlan.ts';
import type { PolicyPlanChanges } from './policyPlan.ts';

export interface PolicySyncReport {
  /** The kernel was re-read (first sync, after a failure, or markDirty()). */
  readonly fullResync: boolean;
  /** nft invocations (static table + reads on a resync, the transaction). */
  readonly commands: number;
  /** Commands in the element transaction (0 when none ran). */
  readonly lines: number;
  readonly changes: PolicyPlanChanges;
}

export interface NftPolicyOptions {
  /** Opens a long-lived `nft -i` for the transactions of syncs that need no kernel read (as NftServices). */
  session?: () => NftSession;
}

/** Read the policy sets from the kernel, grouped per endpoint IP. */
export async function readPolicySets(tools: NetTools): Promise<Map<string, EndpointPolicyElements>> {
  const sets = new Map<string, string[]>();
  for (const name of POLICY_SETS) sets.set(name, parsePolicySetElements(await tools.run('nft', ['-j', 'list', 'set', NFT_FAMILY, NFT_TABLE, name])));
  return groupPolicyElements(sets);
}

export class NftPolicy {
  readonly #tools: NetTools;
  readonly #session: LazyNftSession | undefined;
  #shadow: ReadonlyMap<string, EndpointPolicyElements> = new Map();
  #dirty = true;

  constructor(tools: NetTools, opts: NftPolicyOptions = {}) {
    this.#tools = tools;
    this.#session = opts.session === undefined ? undefined : new LazyNftSession(opts.session);
  }

  markDirty(): void {
    this.#dirty = true;
  }

  async close(): Promise<void> {
    await this.#session?.close();
  }

  async #apply(lines: readonly string[], viaFile: boolean): Promise<void> {
    if (lines.length === 0) return;
    if (viaFile || this.#session === undefined) {
      await this.#tools.run('nft', ['-f', '-'], `${lines.join('\n')}\n`);
      return;
    }
    await this.#session.apply(lines);
  }

  async sync(desired: PolicyNftDesired): Promise<PolicySyncReport> {
    const fullResync = this.#dirty;
    let commands = 0;
    try {
      if (fullResync) {
        await this.#tools.run('nft', ['-f', '-'], compileNftTable());
        this.#shadow = await readPolicySets(this.#tools);
        commands += 1 + POLICY_SETS.length;
      }
      const plan = planPolicySync(desired.endpoints, this.#shadow);
      await this.#apply(plan.lines, fullResync);
      if (plan.lines.length > 0) commands++;
      this.#shadow = desired.endpoints;
      this.#dirty = false;
      return { fullResync, commands, lines: plan.lines.length, changes: plan.changes };
    } catch (err) {
      this.#dirty = true;
      throw err;
    }
  }
}
