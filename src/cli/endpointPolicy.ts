/**
 * The POLICY (ingress/egress) ENFORCEMENT columns of `weft endpoint list`:
 * the cluster's stored policies compiled (src/policy/compile.ts, the same
 * compiler the agents run) over the cluster's endpoints and every known
 * identity. Remote endpoints are enforced by their own cluster: unknown here.
 * And the DROPS column: the per-endpoint policy drop counters of the
 * datapath of every node of a lab cluster.
 */
import type { KvBackend } from '../kvstore/backend.ts';
import { getJson } from '../kvstore/json.ts';
import { keys } from '../kvstore/keys.ts';
import { ClusterConfig } from '../model/state.ts';
import { POLICY_KINDS, policyEndpoint } from '../agent/policyInputs.ts';
import { compilePolicies } from '../policy/compile.ts';
import { parseStoredPolicy } from '../policy/normalize.ts';
import type { NormalizedPolicy } from '../policy/normalize.ts';
import type { Context } from '../contexts/contexts.ts';
import type { EndpointDrops, EndpointEnforcement } from './endpoint.ts';
import { readEndpointDropCounts } from '../datapath/policy/policyDrops.ts';
import { findCluster, readLabState } from '../lab/state.ts';
import { nodeNftTools } from './monitor.ts';
import { readEndpoints } from './endpoint.ts';
import { loadIdentities } from './identity.ts';

/** Every stored policy of the cluster, normalized; invalid values are reported through `warn` and skipped. */
export async function loadPolicies(kv: KvBackend, warn: (msg: string) => void): Promise<NormalizedPolicy[]> {
  const out: NormalizedPolicy[] = [];
  for (const plural of POLICY_KINDS) {
    for (const e of (await kv.list(keys.resourcesPrefix(plural))).entries) {
      try {
        out.push(...parseStoredPolicy(plural, e.key, e.value));
      } catch {
        warn(`skipping invalid policy at ${e.key}`);
      }
    }
  }
  return out;
}

export async function endpointEnforcement(kv: KvBackend, ctx: Context): Promise<EndpointEnforcement> {
  const warn = (msg: string): void => void process.stderr.write(`warning: ${msg}\n`);
  const [config, policies, identities, rows] = await Promise.all([
    getJson(kv, keys.clusterConfig(ctx.cluster), ClusterConfig),
    loadPolicies(kv, warn),
    loadIdentities(kv, ctx.cluster, warn),
    readEndpoints(kv, keys.endpointsPrefix(ctx.cluster), ctx.cluster, () => undefined),
  ]);
  const endpoints = rows.filter((r) => r.endpoint.ip !== '').map((r) => policyEndpoint(r.namespace, r.pod, r.endpoint));
  const verdicts = compilePolicies({
    cluster: ctx.cluster,
    defaultLocalCluster: config?.policyDefaultLocalCluster ?? true,
    policies,
    endpoints,
    identities,
  });
  const byPod = new Map(verdicts.map((v) => [`${v.namespace}/${v.pod}`, v]));
  return (r) => {
    if (r.cluster !== ctx.cluster) return undefined;
    const v = byPod.get(`${r.namespace}/${r.pod}`);
    return v === undefined ? undefined : { ingress: v.ingress.enforced, egress: v.egress.enforced };
  };
}

/** Drop counters of every node of the context's lab cluster, merged by IP; undefined when it is not a lab cluster here. */
export async function endpointDrops(ctx: Context): Promise<EndpointDrops | undefined> {
  const cluster = findCluster(readLabState(), ctx.cluster);
  if (cluster === undefined) return undefined;
  const merged = new Map<string, { ingress: number; egress: number }>();
  for (const host of cluster.hosts.filter((h) => h.role === 'node')) {
    for (const [ip, d] of await readEndpointDropCounts(nodeNftTools(host.netns))) {
      const m = merged.get(ip) ?? { ingress: 0, egress: 0 };
      merged.set(ip, { ingress: m.ingress + d.ingress, egress: m.egress + d.egress });
    }
  }
  return merged;
}
