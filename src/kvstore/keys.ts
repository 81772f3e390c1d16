/**
 * The whole etcd key schema (ARCHITECTURE.md › Keys in etcd). Nothing else in
 * the project spells a key by hand.
 */
export const ROOT = 'weft/';

export const keys = {
  clusterConfig: (cluster: string) => `weft/cluster-config/${cluster}`,

  nodesPrefix: (cluster: string) => `weft/state/nodes/v1/${cluster}/`,
  node: (cluster: string, node: string) => `weft/state/nodes/v1/${cluster}/${node}`,

  endpointsPrefix: (cluster: string) => `weft/state/endpoints/v1/${cluster}/`,
  endpoint: (cluster: string, ns: string, pod: string) => `weft/state/endpoints/v1/${cluster}/${ns}/${pod}`,

  identitiesPrefix: (cluster: string) => `weft/state/identities/v1/${cluster}/`,
  identity: (cluster: string, id: number) => `weft/state/identities/v1/${cluster}/${id}`,

  servicesPrefix: (cluster: string) => `weft/state/services/v1/${cluster}/`,
  service: (cluster: string, ns: string, name: string) => `weft/state/services/v1/${cluster}/${ns}/${name}`,

  synced: (cluster: string, prefix: string) => `weft/synced/${cluster}/${prefix}`,
  /** Every cluster's exported state (what remote clusters may read). */
  statePrefix: () => 'weft/state/',
  syncedPrefix: (cluster: string) => `weft/synced/${cluster}/`,

  cacheRoot: () => 'weft/cache/',
  cachePrefix: (remote: string) => `weft/cache/${remote}/`,
  /** Where the operator mirrors a remote cluster's key: weft/state/… of c2 → weft/cache/c2/state/… */
  cacheOf: (remote: string, remoteKey: string) => `weft/cache/${remote}/${remoteKey.startsWith('weft/') ? remoteKey.slice(5) : remoteKey}`,
  /** Connection state of a remote cluster, written by the local operator's reflector (never exported). */
  meshStatusPrefix: () => 'weft/mesh/status/',
  meshStatus: (remote: string) => `weft/mesh/status/${remote}`,
  /** Which remote clusters' caches an agent has synced (written by the agent; never exported; agents cannot touch weft/mesh/). */
  agentMeshStatusPrefix: () => 'weft/status/agents/',
  agentMeshStatus: (node: string) => `weft/status/agents/${node}`,

  /** Desired objects applied by users (never exported). kind is the lower-case plural: pods, deployments, … */
  resourcesPrefix: (kind: string) => `weft/resources/${kind}/`,
  resource: (kind: string, ns: string, name: string) => `weft/resources/${kind}/${ns}/${name}`,
  /** Cluster-scoped resources (Namespace) use the pseudo-namespace "_". */
  clusterResource: (kind: string, name: string) => `weft/resources/${kind}/_/${name}`,

  /** Observed pod status written by the agent that runs the pod (never exported). */
  podStatusPrefix: () => 'weft/status/pods/',
  podStatus: (ns: string, pod: string) => `weft/status/pods/${ns}/${pod}`,

  /** Operator-owned allocations (never exported). */
  nodeCidrAllocationsPrefix: () => 'weft/alloc/podcidr/',
  nodeCidrAllocation: (cidr: string) => `weft/alloc/podcidr/${cidr.replace('/', '_')}`,
  clusterIpAllocationsPrefix: () => 'weft/alloc/clusterip/',
  clusterIpAllocation: (ip: string) => `weft/alloc/clusterip/${ip}`,
  /** Reverse index of the agents' identity allocation: sha256 of the canonical label set → id (never exported). */
  identityIndexPrefix: (cluster: string) => `weft/alloc/identities/${cluster}/`,
  identityIndex: (cluster: string, labelsHash: string) => `weft/alloc/identities/${cluster}/${labelsHash}`,

  /** Prefixes of the access table (docs/security.md): what each identity may read or write. */
  clusterConfigPrefix: () => 'weft/cluster-config/',
  statusPrefix: () => 'weft/status/',
  allocPrefix: () => 'weft/alloc/',
  resourcesRoot: () => 'weft/resources/',
  meshPrefix: () => 'weft/mesh/',
  syncedRoot: () => 'weft/synced/',

  meshRemotesPrefix: () => 'weft/mesh/remotes/',
  meshRemote: (remote: string) => `weft/mesh/remotes/${remote}`,
} as const;

/** The last path segment of a key. */
export function keyName(key: string): string {
  const i = key.lastIndexOf('/');
  return i < 0 ? key : key.slice(i + 1);
}
