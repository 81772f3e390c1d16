/**
 * The difference between the desired service objects and what the kernel
 * holds (pure), as `nft -f` lines for ONE transaction. Elements are added and
 * deleted one by one; a `svc-lb-<N>` chain is written when new or when its
 * content is not the expected one, and deleted once nothing jumps to it.
 * Nothing that is right is flushed, so conntrack entries and counters are
 * untouched and an identical state plans no line at all.
 *
 * Order inside the transaction: chains first (so elements can jump to them),
 * then per map/set its deletions and additions (a changed value is a delete
 * then an add), then chains no element jumps to any more (flushed, then deleted).
 */
import { diffElements, elementCommands } from './nftElements.ts';
import { NFT_FAMILY, NFT_TABLE, SVC } from './nftTable.ts';
import type { ServiceNftDesired } from './servicesCompile.ts';
import type { ServiceNftState } from './servicesKernel.ts';

const TABLE = `${NFT_FAMILY} ${NFT_TABLE}`;
const CHUNK = 512;

export interface ServicePlanChanges {
  chainsAdded: number;
  chainsRewritten: number;
  chainsDeleted: number;
  elementsAdded: number;
  elementsDeleted: number;
}

export interface ServicePlan {
  lines: string[];
  changes: ServicePlanChanges;
}

function setDiff(current: ReadonlySet<string>, desired: ReadonlySet<string>): { add: string[]; remove: string[] } {
  return { add: [...desired].filter((k) => !current.has(k)), remove: [...current].filter((k) => !desired.has(k)) };
}

function setCommands(name: string, diff: { add: string[]; remove: string[] }): string[] {
  const lines: string[] = [];
  for (let i = 0; i < diff.remove.length; i += CHUNK) lines.push(`delete element ${TABLE} ${name} { ${diff.remove.slice(i, i + CHUNK).join(', ')} }`);
  for (let i = 0; i < diff.add.length; i += CHUNK) lines.push(`add element ${TABLE} ${name} { ${diff.add.slice(i, i + CHUNK).join(', ')} }`);
  return lines;
}

export function planServiceSync(desired: ServiceNftDesired, current: ServiceNftState): ServicePlan {
  const lines: string[] = [];
  const changes: ServicePlanChanges = { chainsAdded: 0, chainsRewritten: 0, chainsDeleted: 0, elementsAdded: 0, elementsDeleted: 0 };

  const write: [string, string][] = [];
  for (const [name, chain] of desired.chains) {
    const have = current.chains.get(name);
    if (have === chain.signature) continue;
    if (have === undefined) {
      lines.push(`add chain ${TABLE} ${name}`);
      changes.chainsAdded++;
    } else {
      lines.push(`flush chain ${TABLE} ${name}`);
      changes.chainsRewritten++;
    }
    write.push([name, chain.rule]);
  }
  for (const [name, rule] of write) lines.push(`add rule ${TABLE} ${name} ${rule}`);

  for (const [name, cur, want] of [
    [SVC.ipsMap, current.ips, desired.ips],
    [SVC.endpointsMap, current.endpoints, desired.endpoints],
  ] as const) {
    const d = diffElements(cur, want);
    lines.push(...elementCommands(TABLE, name, d, CHUNK));
    // A changed value counts once as added and once as deleted.
    changes.elementsAdded += d.add.length;
    changes.elementsDeleted += d.remove.length;
  }
  for (const [name, cur, want] of [
    [SVC.noBackendSet, current.noBackend, desired.noBackend],
    [SVC.hairpinSet, current.hairpin, desired.hairpin],
  ] as const) {
    const d = setDiff(cur, want);
    lines.push(...setCommands(name, d));
    changes.elementsAdded += d.add.length;
    changes.elementsDeleted += d.remove.length;
  }

  const stale = [...current.chains.keys()].filter((name) => !desired.chains.has(name)).sort();
  for (const name of stale) lines.push(`flush chain ${TABLE} ${name}`);
  for (const name of stale) lines.push(`delete chain ${TABLE} ${name}`);
  changes.chainsDeleted = stale.length;
  return { lines, changes };
}

/** What the kernel holds once a plan for `desired` has applied: the applier's next shadow copy. */
export function serviceStateAfter(desired: ServiceNftDesired): ServiceNftState {
  return {
    ips: new Map(desired.ips),
    endpoints: new Map(desired.endpoints),
    noBackend: new Set(desired.noBackend),
    hairpin: new Set(desired.hairpin),
    chains: new Map([...desired.chains].map(([name, c]) => [name, c.signature])),
  };
}
