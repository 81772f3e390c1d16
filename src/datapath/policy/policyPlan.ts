/**
 * Policy set sync as ONE transaction (pure): desired elements per endpoint vs
 * the shadow copy (or the kernel, re-read). Endpoints are compared by
 * signature; only a changed endpoint is expanded into element deletions and
 * additions, so one endpoint's change is a few element commands.
 */
import { diffSetElements, setElementCommands } from '../nft/nftElements.ts';
import { NFT_FAMILY, NFT_TABLE } from '../nft/nftTable.ts';
import { POLICY_SETS } from './policyCompile.ts';
import type { EndpointPolicyElements } from './policyCompile.ts';

export interface PolicyPlanChanges {
  /** Endpoints whose elements changed (added, removed or different). */
  readonly endpoints: number;
  readonly elementsAdded: number;
  readonly elementsRemoved: number;
}

export interface PolicyPlan {
  readonly lines: readonly string[];
  readonly changes: PolicyPlanChanges;
}

const TABLE = `${NFT_FAMILY} ${NFT_TABLE}`;
const NONE: ReadonlyMap<string, readonly string[]> = new Map();

export function planPolicySync(desired: ReadonlyMap<string, EndpointPolicyElements>, current: ReadonlyMap<string, EndpointPolicyElements>): PolicyPlan {
  const add = new Map<string, string[]>(POLICY_SETS.map((s) => [s, []]));
  const remove = new Map<string, string[]>(POLICY_SETS.map((s) => [s, []]));
  let endpoints = 0;
  const compare = (want: ReadonlyMap<string, readonly string[]>, have: ReadonlyMap<string, readonly string[]>): void => {
    endpoints++;
    for (const name of POLICY_SETS) {
      const d = diffSetElements(new Set(have.get(name) ?? []), new Set(want.get(name) ?? []));
      add.get(name)?.push(...d.add);
      remove.get(name)?.push(...d.remove);
    }
  };
  for (const [ip, want] of desired) {
    const have = current.get(ip);
    if (have?.signature !== want.signature) compare(want.sets, have?.sets ?? NONE);
  }
  for (const [ip, have] of current) if (!desired.has(ip)) compare(NONE, have.sets);
  const lines: string[] = [];
  let elementsAdded = 0;
  let elementsRemoved = 0;
  for (const name of POLICY_SETS) {
    const a = add.get(name) ?? [];
    const r = remove.get(name) ?? [];
    elementsAdded += a.length;
    elementsRemoved += r.length;
    lines.push(...setElementCommands(TABLE, name, { add: a, remove: r }));
  }
  return { lines, changes: { endpoints, elementsAdded, elementsRemoved } };
}
