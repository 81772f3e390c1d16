/**
 * The difference between the desired service objects and what the kernel
 * holds (pure), as `nft -f` lines for ONE transaction. A frontend whose
 * signature is unchanged costs one string compare; a changed one is expanded
 * into its elements and only the elements that differ are deleted/added.
 * Frontends share no element but svc-vips (one per ClusterIP, compared
 * whole). A `svc-lb-<proto>-<N>` chain is written when new
 * or when its content is not the expected one, and deleted once nothing
 * jumps to it. Nothing that is right is flushed; an identical state plans no
 * line at all.
 *
 * Order inside the transaction: chains first (so elements can jump to them),
 * then every deletion, then every addition (a changed value is a delete then
 * an add), then chains no element jumps to any more (flushed, then deleted).
 */
import { NFT_FAMILY, NFT_TABLE, SVC } from '../nft/nftTable.ts';
import type { SvcL4 } from '../nft/nftTable.ts';
import type { ServiceNftDesired } from './servicesCompile.ts';
import { frontendElements } from './servicesKernel.ts';
import type { FrontendElements, FrontendState, ServiceNftState } from './servicesKernel.ts';

const TABLE = `${NFT_FAMILY} ${NFT_TABLE}`;
const CHUNK = 512;
const NOTHING: FrontendElements = { proto: 'tcp', ips: undefined, endpoints: new Map(), noBackend: false };

export interface ServicePlanChanges {
  frontendsChanged: number;
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

/** Element deletions/additions per map or set, in transaction order. */
class ElementOps {
  readonly del = new Map<string, string[]>();
  readonly add = new Map<string, string[]>();
  push(which: 'del' | 'add', set: string, element: string): void {
    const m = this[which];
    const list = m.get(set);
    if (list === undefined) m.set(set, [element]);
    else list.push(element);
  }
  count(which: 'del' | 'add'): number {
    let n = 0;
    for (const l of this[which].values()) n += l.length;
    return n;
  }
  lines(which: 'del' | 'add', order: readonly string[]): string[] {
    const verb = which === 'del' ? 'delete' : 'add';
    const out: string[] = [];
    for (const set of order) {
      const list = this[which].get(set) ?? [];
      for (let i = 0; i < list.length; i += CHUNK) out.push(`${verb} element ${TABLE} ${set} { ${list.slice(i, i + CHUNK).join(', ')} }`);
    }
    return out;
  }
}

const epsMap = (p: SvcL4): string => SVC.endpointsMaps[p];

/** Ops turning one frontend's elements `o` into `n`. */
function diffFrontend(key: string, o: FrontendElements, n: FrontendElements, ops: ElementOps): void {
  if (o.ips !== n.ips) {
    if (o.ips !== undefined) ops.push('del', SVC.ipsMap, key);
    if (n.ips !== undefined) ops.push('add', SVC.ipsMap, `${key} : ${n.ips}`);
  }
  for (const [k, v] of o.endpoints) {
    if (o.proto !== n.proto || n.endpoints.get(k) !== v) ops.push('del', epsMap(o.proto), k);
  }
  for (const [k, v] of n.endpoints) {
    if (o.proto !== n.proto || o.endpoints.get(k) !== v) ops.push('add', epsMap(n.proto), `${k} : ${v}`);
  }
  if (o.noBackend && !n.noBackend) ops.push('del', SVC.noBackendSet, key);
  if (n.noBackend && !o.noBackend) ops.push('add', SVC.noBackendSet, key);
}

/** Lines taking the kernel from `current` (shadow copy or just read) to `desired`. */
export function planServiceSync(desired: ServiceNftDesired, current: ServiceNftState): ServicePlan {
  const lines: string[] = [];
  const changes: ServicePlanChanges = { frontendsChanged: 0, chainsAdded: 0, chainsRewritten: 0, chainsDeleted: 0, elementsAdded: 0, elementsDeleted: 0 };

  const rules: string[] = [];
  for (const [name, chain] of desired.chains) {
    const have = current.chains.get(name);
    if (have === chain.signature) continue;
    lines.push(have === undefined ? `add chain ${TABLE} ${name}` : `flush chain ${TABLE} ${name}`);
    if (have === undefined) changes.chainsAdded++;
    else changes.chainsRewritten++;
    rules.push(`add rule ${TABLE} ${name} ${chain.rule}`);
  }
  lines.push(...rules);

  const ops = new ElementOps();
  for (const [key, f] of desired.frontends) {
    const cur: FrontendState | undefined = current.frontends.get(key);
    if (cur?.signature === f.signature) continue;
    changes.frontendsChanged++;
    diffFrontend(key, cur === undefined ? NOTHING : frontendElements(cur), frontendElements(f), ops);
  }
  for (const [key, cur] of current.frontends) {
    if (desired.frontends.has(key)) continue;
    changes.frontendsChanged++;
    diffFrontend(key, frontendElements(cur), NOTHING, ops);
  }
  // svc-vips is shared by the frontends of a service: compared whole (one entry per ClusterIP).
  for (const vip of current.vips) if (!desired.vips.has(vip)) ops.push('del', SVC.vipsSet, vip);
  for (const vip of desired.vips) if (!current.vips.has(vip)) ops.push('add', SVC.vipsSet, vip);
  const order = [SVC.ipsMap, epsMap('tcp'), epsMap('udp'), SVC.noBackendSet, SVC.vipsSet];
  lines.push(...ops.lines('del', order), ...ops.lines('add', order));
  changes.elementsDeleted = ops.count('del');
  changes.elementsAdded = ops.count('add');

  const stale = [...current.chains.keys()].filter((name) => !desired.chains.has(name)).sort();
  for (const name of stale) lines.push(`flush chain ${TABLE} ${name}`);
  for (const name of stale) lines.push(`delete chain ${TABLE} ${name}`);
  changes.chainsDeleted = stale.length;
  return { lines, changes };
}

/** The state once a plan for `desired` applied: the applier's next shadow copy (shares `desired.frontends`). */
export function serviceStateAfter(desired: ServiceNftDesired): ServiceNftState {
  return { frontends: desired.frontends, vips: desired.vips, chains: new Map([...desired.chains].map(([name, c]) => [name, c.signature])) };
}
