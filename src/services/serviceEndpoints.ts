/**
 * A service's endpoints across the mesh (pure), like `istioctl proxy-config
 * endpoints … --cluster "outbound|5000||helloworld.sample.svc.cluster.local"`:
 * every backend the cluster's frontends of that service know — its own and,
 * for a global service, those of the same-named shared services of connected
 * clusters (the same merge serviceFrontends does for the datapath) — with its
 * health, cluster, node and pod.
 */
import type { ServiceProtocol, ServiceState } from '../model/state.ts';
import { serviceFrontends } from './frontends.ts';

export type EndpointHealth = 'HEALTHY' | 'UNHEALTHY';

export interface ServiceEndpointRow {
  /** ip:port of the backend. */
  readonly endpoint: string;
  readonly status: EndpointHealth;
  readonly cluster: string;
  readonly node: string;
  /** The pod behind the IP ('' when the cluster's endpoints do not name it). */
  readonly pod: string;
  /** The service port it backs. */
  readonly servicePort: number;
  readonly protocol: ServiceProtocol;
  /** Whether the cluster's load-balancing currently sends traffic to it (ready, and chosen by the affinity). */
  readonly inUse: boolean;
}

export interface ServiceEndpointsInput {
  readonly cluster: string;
  readonly namespace: string;
  readonly name: string;
  readonly local: readonly ServiceState[];
  readonly remote: readonly ServiceState[];
  /** `<cluster>/<ip>` → pod name, from the endpoints of every cluster. */
  readonly podsByIp: ReadonlyMap<string, string>;
}

/** The rows, or undefined when the cluster has no exported service of that name. */
export function serviceEndpoints(input: ServiceEndpointsInput): ServiceEndpointRow[] | undefined {
  const mine = input.local.filter((s) => s.namespace === input.namespace && s.name === input.name);
  if (mine.length === 0) return undefined;
  const nodeOf = new Map<string, string>();
  for (const s of [...mine.map((m) => ({ ...m, cluster: input.cluster })), ...input.remote]) {
    if (s.namespace !== input.namespace || s.name !== input.name) continue;
    for (const b of s.backends) nodeOf.set(`${s.cluster}/${b.ip}`, b.node);
  }
  const frontends = serviceFrontends({ cluster: input.cluster, local: mine, remote: input.remote });
  return frontends.flatMap((f) =>
    f.allBackends.map((b) => ({
      endpoint: `${b.ip}:${b.port}`,
      status: b.ready ? 'HEALTHY' : 'UNHEALTHY',
      cluster: b.cluster,
      node: nodeOf.get(`${b.cluster}/${b.ip}`) ?? '',
      pod: input.podsByIp.get(`${b.cluster}/${b.ip}`) ?? '',
      servicePort: f.port,
      protocol: f.protocol,
      inUse: f.backends.some((u) => u.ip === b.ip && u.port === b.port && u.cluster === b.cluster),
    })),
  );
}
