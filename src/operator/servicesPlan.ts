/**
 * The services controller's decisions (pure): which ClusterIPs to allocate
 * and release (clusterIpAllocator.ts), then, with the IPs that are actually
 * held, which exported ServiceState keys to write or delete. A key is
 * rewritten only when its value changes.
 */
import { keys } from '../kvstore/keys.ts';
import { canonicalJson } from '../model/canonicalJson.ts';
import type { Service } from '../model/kinds/service.ts';
import type { ClusterConfig, ServiceState } from '../model/state.ts';
import type { NamespacedEndpoint } from '../services/backends.ts';
import { EndpointIndex } from '../services/endpointIndex.ts';
import { exportedServiceState } from '../services/serviceState.ts';
import { planClusterIps, serviceId } from './clusterIpAllocator.ts';
import type { ClusterIpPlan, ServiceRef } from './clusterIpAllocator.ts';

export type ServiceStateAction =
  | { readonly type: 'putServiceState'; readonly key: string; readonly state: ServiceState; readonly created: boolean }
  | { readonly type: 'deleteServiceState'; readonly key: string };

export interface ServicesSnapshot {
  readonly cluster: string;
  readonly config: ClusterConfig | undefined;
  readonly services: readonly Service[];
  readonly endpoints: readonly NamespacedEndpoint[];
  /** ip → the service holding it (keys.clusterIpAllocation) */
  readonly allocations: ReadonlyMap<string, ServiceRef>;
  /** keys.service(cluster, …) → the value exported now */
  readonly exported: ReadonlyMap<string, ServiceState>;
}

/** The ClusterIP step; without a cluster config nothing moves and the services keep what they hold. */
export function planServiceIps(s: ServicesSnapshot): ClusterIpPlan {
  const claims = s.services.map((svc) => ({
    namespace: svc.metadata.namespace,
    name: svc.metadata.name,
    requested: svc.spec.clusterIP,
    createdAt: svc.metadata.creationTimestamp ?? '',
  }));
  if (s.config === undefined) {
    const live = new Set(claims.map(serviceId));
    const ips = new Map([...s.allocations].filter(([, o]) => live.has(serviceId(o))).map(([ip, o]) => [serviceId(o), ip]));
    return { ips, actions: [], problems: ['waiting for the cluster config (weft/cluster-config/<cluster>) before allocating ClusterIPs'] };
  }
  return planClusterIps({ serviceCIDR: s.config.serviceCIDR, services: claims, allocations: s.allocations });
}

/** The exported keys to write or delete, given `ips` (`<ns>/<name>` → ClusterIP actually held). */
export function planServiceStates(s: ServicesSnapshot, ips: ReadonlyMap<string, string>): ServiceStateAction[] {
  const index = new EndpointIndex(s.endpoints);
  const desired = new Map<string, ServiceState>();
  for (const svc of s.services) {
    const ip = ips.get(serviceId(svc.metadata));
    if (ip === undefined) continue;
    const candidates = index.candidates(svc.metadata.namespace, svc.spec.selector);
    desired.set(keys.service(s.cluster, svc.metadata.namespace, svc.metadata.name), exportedServiceState(svc, s.cluster, ip, candidates));
  }
  const actions: ServiceStateAction[] = [];
  for (const [key, state] of desired) {
    const now = s.exported.get(key);
    if (now === undefined || canonicalJson(now) !== canonicalJson(state)) actions.push({ type: 'putServiceState', key, state, created: now === undefined });
  }
  for (const key of s.exported.keys()) if (!desired.has(key)) actions.push({ type: 'deleteServiceState', key });
  return actions;
}
