/**
 * ClusterIP allocation (pure). The records under keys.clusterIpAllocation
 * (ip → service) are the truth: a service keeps its recorded IP across
 * operator restarts; a record is released when its service is gone, asks
 * for another IP, or the IP left the service CIDR. A requested spec.clusterIP
 * is granted when it is in range and free (older services win a tie); the
 * others get the first free address in dynamic order (upper band first),
 * never one that any service requests and never one held by another.
 */
import { errorMessage } from '../errors.ts';
import { clusterIpProblem, clusterIpRange, dynamicOrder } from '../services/clusterIpRange.ts';
import type { ClusterIpRange } from '../services/clusterIpRange.ts';
import { compareText } from '../services/order.ts';

export interface ClusterIpClaim {
  readonly namespace: string;
  readonly name: string;
  /** spec.clusterIP, when the service asks for one. */
  readonly requested: string | undefined;
  /** creationTimestamp (ISO): older services win a contested request. */
  readonly createdAt: string;
}

export interface ServiceRef {
  readonly namespace: string;
  readonly name: string;
}

export type ClusterIpAction =
  | { readonly type: 'allocateClusterIp'; readonly ip: string; readonly namespace: string; readonly name: string }
  | { readonly type: 'releaseClusterIp'; readonly ip: string; readonly namespace: string; readonly name: string };

export interface ClusterIpInput {
  readonly serviceCIDR: string;
  readonly services: readonly ClusterIpClaim[];
  /** ip → the service holding it */
  readonly allocations: ReadonlyMap<string, ServiceRef>;
}

export interface ClusterIpPlan {
  /** `<ns>/<name>` → its ClusterIP once the actions are applied. */
  readonly ips: Map<string, string>;
  readonly actions: ClusterIpAction[];
  readonly problems: string[];
}

export const serviceId = (s: ServiceRef): string => `${s.namespace}/${s.name}`;

export function planClusterIps(input: ClusterIpInput): ClusterIpPlan {
  const ips = new Map<string, string>();
  const actions: ClusterIpAction[] = [];
  const problems: string[] = [];
  let range: ClusterIpRange;
  try {
    range = clusterIpRange(input.serviceCIDR);
  } catch (err) {
    problems.push(`cluster config serviceCIDR ${input.serviceCIDR} is invalid: ${errorMessage(err)}`);
    for (const [ip, owner] of input.allocations) ips.set(serviceId(owner), ip);
    return { ips, actions, problems };
  }
  const byId = new Map(input.services.map((s) => [serviceId(s), s]));
  const used = new Set<string>();
  for (const [ip, owner] of input.allocations) {
    used.add(ip); // an IP released now is not handed out again in the same pass
    const svc = byId.get(serviceId(owner));
    const outOfRange = clusterIpProblem(range, ip);
    const keep = svc !== undefined && (svc.requested === undefined || svc.requested === ip) && outOfRange === undefined && !ips.has(serviceId(owner));
    if (keep) {
      ips.set(serviceId(owner), ip);
      continue;
    }
    if (svc !== undefined && outOfRange !== undefined) problems.push(`service ${serviceId(owner)}: ${outOfRange}; giving it a new one`);
    actions.push({ type: 'releaseClusterIp', ip, namespace: owner.namespace, name: owner.name });
  }

  const waiting = input.services
    .filter((s) => !ips.has(serviceId(s)))
    .sort((a, b) => compareText(a.createdAt, b.createdAt) || compareText(serviceId(a), serviceId(b)));
  const holder = new Map([...input.allocations].map(([ip, owner]) => [ip, serviceId(owner)]));
  const allocate = (s: ClusterIpClaim, ip: string): void => {
    used.add(ip);
    holder.set(ip, serviceId(s));
    ips.set(serviceId(s), ip);
    actions.push({ type: 'allocateClusterIp', ip, namespace: s.namespace, name: s.name });
  };
  for (const s of waiting) {
    if (s.requested === undefined) continue;
    const problem = clusterIpProblem(range, s.requested);
    if (problem !== undefined) problems.push(`service ${serviceId(s)}: ${problem}; it gets no ClusterIP until spec.clusterIP is changed`);
    else if (used.has(s.requested)) problems.push(`service ${serviceId(s)}: clusterIP ${s.requested} is already allocated to service ${holder.get(s.requested) ?? '?'}; it gets no ClusterIP until spec.clusterIP is changed`);
    else allocate(s, s.requested);
  }
  const requested = new Set(input.services.flatMap((s) => (s.requested === undefined ? [] : [s.requested])));
  let free: Iterator<string> | undefined;
  for (const s of waiting) {
    if (s.requested !== undefined) continue;
    free ??= dynamicOrder(range);
    let next = free.next();
    while (!next.done && (used.has(next.value) || requested.has(next.value))) next = free.next();
    if (next.done) {
      problems.push(`service ${serviceId(s)}: no free ClusterIP left in the service CIDR ${range.cidr}`);
      continue;
    }
    allocate(s, next.value);
  }
  return { ips, actions, problems };
}
