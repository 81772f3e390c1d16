/**
 * Policy enforcement as nftables data (pure): the verdicts of this node's
 * endpoints (EndpointPolicy[], from the policy compiler) → the elements of
 * the policy sets of table `inet weft`, grouped per endpoint IP.
 *
 *   pol-in-enforced   10.1.0.5                         (ingress denies by default)
 *   pol-in-l3         10.1.0.5 . 0x10100               (identity 0x10100 on every port)
 *   pol-in-l4         10.1.0.5 . 0x10100 . tcp . 6379  (identity on tcp/6379)
 *   pol-in-l4any      10.1.0.5 . tcp . 80              (anyone on tcp/80)
 *   pol-out-…         the same for egress (key: the source endpoint, the destination's identity)
 *
 * Every element starts with the endpoint's IP, so an endpoint owns exactly
 * its elements: its change is a few element commands, compared by one
 * signature string per endpoint (policyPlan.ts). An endpoint not enforced in
 * a direction, or allowed everything, has no element in that direction.
 */
import { isIp } from '../../util/cidr.ts';
import type { DirectionVerdict, EndpointPolicy } from '../../policy/types.ts';
import { POLICY_DIRECTIONS, POLICY_SET_KINDS, policySetName } from '../nft/nftTable.ts';
import type { PolicyDirection } from '../nft/nftTable.ts';
import { identityValue } from './ipcache.ts';

/** The names of the 8 policy sets, in a fixed order. */
export const POLICY_SETS: readonly string[] = POLICY_DIRECTIONS.flatMap((d) => POLICY_SET_KINDS.map((k) => policySetName(d, k)));

/** The elements one endpoint IP owns, per policy set (sorted, unique; sets without elements absent). */
export interface EndpointPolicyElements {
  readonly ip: string;
  readonly sets: ReadonlyMap<string, readonly string[]>;
  /** Equal signatures ⇔ equal elements. */
  readonly signature: string;
}

export interface PolicyNftDesired {
  /** Endpoint IP → its elements (endpoints with no element at all are absent). */
  readonly endpoints: ReadonlyMap<string, EndpointPolicyElements>;
  /** Endpoints or entries skipped (invalid IP, identity or port), with the value. */
  readonly warnings: readonly string[];
}

export function endpointSignature(sets: ReadonlyMap<string, readonly string[]>): string {
  return POLICY_SETS.map((name) => `${name}=${(sets.get(name) ?? []).join(',')}`).join(';');
}

/** Build an endpoint's entry from unsorted, possibly duplicate elements per set. */
export function endpointElements(ip: string, raw: ReadonlyMap<string, Iterable<string>>): EndpointPolicyElements {
  const sets = new Map<string, string[]>();
  for (const name of POLICY_SETS) {
    const list = [...new Set(raw.get(name) ?? [])].sort();
    if (list.length > 0) sets.set(name, list);
  }
  return { ip, sets, signature: endpointSignature(sets) };
}

const validIdentity = (id: number): boolean => Number.isInteger(id) && id > 0 && id <= 0xffffff;
const validPort = (p: number): boolean => Number.isInteger(p) && p >= 1 && p <= 65535;

function addDirection(ip: string, d: PolicyDirection, v: DirectionVerdict, into: Map<string, Set<string>>, warn: (w: string) => void): void {
  if (!v.enforced || v.allowAll) return;
  const add = (kind: 'enforced' | 'l3' | 'l4' | 'l4any', el: string): void => {
    const name = policySetName(d, kind);
    let s = into.get(name);
    if (s === undefined) into.set(name, (s = new Set<string>()));
    s.add(el);
  };
  add('enforced', ip);
  for (const id of v.l3) {
    if (validIdentity(id)) add('l3', `${ip} . ${identityValue(id)}`);
    else warn(`${d} l3 identity ${id} of ${ip} is not a valid identity`);
  }
  for (const r of v.l4) {
    if (validIdentity(r.identity) && validPort(r.port)) add('l4', `${ip} . ${identityValue(r.identity)} . ${r.proto} . ${r.port}`);
    else warn(`${d} rule identity ${r.identity} ${r.proto}/${r.port} of ${ip} is not valid`);
  }
  for (const r of v.l4Any) {
    if (validPort(r.port)) add('l4any', `${ip} . ${r.proto} . ${r.port}`);
    else warn(`${d} port ${r.proto}/${r.port} of ${ip} is not valid`);
  }
}

interface OneEndpoint {
  readonly elements: EndpointPolicyElements | undefined;
  readonly warnings: readonly string[];
}

function rawSets(p: EndpointPolicy, into: Map<string, Set<string>>, warnings: string[]): void {
  const warn = (w: string): void => void warnings.push(`endpoint ${p.namespace}/${p.pod}: ${w}`);
  addDirection(p.ip, 'ingress', p.ingress, into, warn);
  addDirection(p.ip, 'egress', p.egress, into, warn);
}

/**
 * Per EndpointPolicy object, its elements: the policy compiler hands back the same object for an
 * endpoint whose verdicts did not change, so a sync of 10k endpoints with one change sorts and
 * signs the elements of that one only. (A cache of a pure function: same object, same result.)
 */
const memo = new WeakMap<EndpointPolicy, OneEndpoint>();

function oneEndpoint(p: EndpointPolicy): OneEndpoint {
  let r = memo.get(p);
  if (r === undefined) {
    const sets = new Map<string, Set<string>>();
    const warnings: string[] = [];
    rawSets(p, sets, warnings);
    r = { elements: sets.size > 0 ? endpointElements(p.ip, sets) : undefined, warnings };
    memo.set(p, r);
  }
  return r;
}

/**
 * EndpointPolicy[] → desired elements per endpoint IP. Two entries with the same IP (should not
 * happen) have their elements merged, with a warning.
 */
export function compilePolicySets(policies: readonly EndpointPolicy[]): PolicyNftDesired {
  const warnings: string[] = [];
  const byIp = new Map<string, EndpointPolicy[]>();
  for (const p of policies) {
    if (!isIp(p.ip)) {
      warnings.push(`endpoint ${p.namespace}/${p.pod}: ip "${p.ip}" is not an IPv4 address`);
      continue;
    }
    const list = byIp.get(p.ip);
    if (list === undefined) byIp.set(p.ip, [p]);
    else list.push(p);
  }
  const endpoints = new Map<string, EndpointPolicyElements>();
  for (const [ip, list] of byIp) {
    const [first] = list;
    if (list.length === 1 && first !== undefined) {
      const one = oneEndpoint(first);
      warnings.push(...one.warnings);
      if (one.elements !== undefined) endpoints.set(ip, one.elements);
      continue;
    }
    warnings.push(`ip ${ip} belongs to ${list.length} endpoints (${list.map((p) => `${p.namespace}/${p.pod}`).join(', ')}): policies merged`);
    const sets = new Map<string, Set<string>>();
    for (const p of list) rawSets(p, sets, warnings);
    if (sets.size > 0) endpoints.set(ip, endpointElements(ip, sets));
  }
  return { endpoints, warnings };
}
