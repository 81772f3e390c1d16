/**
 * The whole etcd key schema (docs/architecture.md › Keys in etcd), both ways:
 * `keys` builds every key and `parseKey` reads every key back into a typed
 * result. Nothing else in the project spells or takes apart a key by hand.
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

/** A key of the schema, read back (parseKey(keys.x(…)) gives the arguments of keys.x). */
export type ParsedKey =
  | { readonly kind: 'cluster-config'; readonly cluster: string }
  | { readonly kind: 'node'; readonly cluster: string; readonly node: string }
  | { readonly kind: 'endpoint'; readonly cluster: string; readonly ns: string; readonly pod: string }
  | { readonly kind: 'identity'; readonly cluster: string; readonly id: number }
  | { readonly kind: 'service'; readonly cluster: string; readonly ns: string; readonly name: string }
  | { readonly kind: 'synced'; readonly cluster: string; readonly prefix: string }
  /** A remote cluster's own exported key as the operator mirrors it (keys.cacheOf). */
  | { readonly kind: 'cache'; readonly remote: string; readonly inner: MirroredKey }
  | { readonly kind: 'mesh-status'; readonly remote: string }
  | { readonly kind: 'agent-mesh-status'; readonly node: string }
  | { readonly kind: 'resource'; readonly resource: string; readonly ns: string; readonly name: string }
  | { readonly kind: 'cluster-resource'; readonly resource: string; readonly name: string }
  | { readonly kind: 'pod-status'; readonly ns: string; readonly pod: string }
  | { readonly kind: 'podcidr-allocation'; readonly cidr: string }
  | { readonly kind: 'clusterip-allocation'; readonly ip: string }
  | { readonly kind: 'identity-index'; readonly cluster: string; readonly hash: string }
  | { readonly kind: 'mesh-remote'; readonly remote: string };

export type KeyKind = ParsedKey['kind'];
/** The keys a cache holds: what a remote exports of itself (its config and its state). */
export type MirroredKey = Extract<ParsedKey, { readonly kind: 'cluster-config' | 'node' | 'endpoint' | 'identity' | 'service' }>;

/** Any exported state key, also of kinds or versions this Weft does not know: weft/state/<type>/<version>/<cluster>/<name…>. */
export interface StateKey {
  readonly type: string;
  readonly version: string;
  readonly cluster: string;
  readonly name: readonly string[];
}

/** The segments of a key after weft/, or undefined when it is outside weft/ or has an empty segment. */
function segmentsOf(key: string): string[] | undefined {
  if (!key.startsWith(ROOT)) return undefined;
  const segs = key.slice(ROOT.length).split('/');
  return segs.some((s) => s === '') ? undefined : segs;
}

/** weft/state/<type>/<version>/<cluster>/<name…> read generically (what the reflector mirrors), or undefined. */
export function parseStateKey(key: string): StateKey | undefined {
  const segs = segmentsOf(key);
  return segs === undefined ? undefined : stateOf(segs);
}

function stateOf(segs: readonly string[]): StateKey | undefined {
  if (segs[0] !== 'state' || segs.length < 5) return undefined;
  const [, type = '', version = '', cluster = '', ...name] = segs;
  return { type, version, cluster, name };
}

/** The remote and the remote's own key that a cache key mirrors (the inverse of keys.cacheOf), or undefined. */
export function parseCacheKey(key: string): { readonly remote: string; readonly key: string } | undefined {
  const segs = segmentsOf(key);
  if (segs === undefined || segs[0] !== 'cache' || segs.length < 3) return undefined;
  return { remote: segs[1] ?? '', key: ROOT + segs.slice(2).join('/') };
}

/** A canonical decimal identity (what keys.identity writes), or undefined. */
function identityId(text: string): number | undefined {
  const id = Number(text);
  return /^(0|[1-9][0-9]*)$/.test(text) && Number.isSafeInteger(id) ? id : undefined;
}

/** The state types and version that parseKey reads (the ones `keys` builds). */
const STATE_VERSION = 'v1';
const STATE_TYPES: ReadonlySet<string> = new Set(['nodes', 'endpoints', 'services', 'identities']);

/** Whether a state key is of a type and version parseKey reads: one of those that does not parse is malformed, not unknown. */
export function isKnownStateKey(s: StateKey): boolean {
  return s.version === STATE_VERSION && STATE_TYPES.has(s.type);
}

function parseState(segs: readonly string[]): ParsedKey | undefined {
  const s = stateOf(segs);
  if (s === undefined || !isKnownStateKey(s)) return undefined;
  const { cluster, name } = s;
  const [a = '', b = ''] = name;
  switch (`${s.type}/${name.length}`) {
    case 'nodes/1':
      return { kind: 'node', cluster, node: a };
    case 'endpoints/2':
      return { kind: 'endpoint', cluster, ns: a, pod: b };
    case 'services/2':
      return { kind: 'service', cluster, ns: a, name: b };
    case 'identities/1': {
      const id = identityId(a);
      return id === undefined ? undefined : { kind: 'identity', cluster, id };
    }
    default:
      return undefined;
  }
}

const MIRRORED_KINDS: ReadonlySet<KeyKind> = new Set<MirroredKey['kind']>(['cluster-config', 'node', 'endpoint', 'identity', 'service']);

function isMirrored(k: ParsedKey): k is MirroredKey {
  return MIRRORED_KINDS.has(k.kind);
}

/** A cache key holds a remote's own config or state: weft/cache/<remote>/… of a key of <remote>. */
function parseMirrored(segs: readonly string[]): ParsedKey | undefined {
  const remote = segs[1] ?? '';
  const inner = segs.length < 3 ? undefined : parseSegments(segs.slice(2));
  if (inner === undefined || !isMirrored(inner) || inner.cluster !== remote) return undefined;
  return { kind: 'cache', remote, inner };
}

/** Which key of the schema `key` is, with its parts; undefined for an unknown or malformed key (never throws). */
export function parseKey(key: string): ParsedKey | undefined {
  const segs = segmentsOf(key);
  return segs === undefined ? undefined : parseSegments(segs);
}

/** parseKey of the segments after weft/ (none empty). */
function parseSegments(segs: readonly string[]): ParsedKey | undefined {
  const [top = '', a = '', b = '', c = ''] = segs;
  const n = segs.length;
  switch (top) {
    case 'state':
      return parseState(segs);
    case 'cache':
      return parseMirrored(segs);
    case 'cluster-config':
      return n === 2 ? { kind: 'cluster-config', cluster: a } : undefined;
    case 'synced':
      return n >= 3 ? { kind: 'synced', cluster: a, prefix: segs.slice(2).join('/') } : undefined;
    case 'resources':
      if (n !== 4) return undefined;
      return b === '_' ? { kind: 'cluster-resource', resource: a, name: c } : { kind: 'resource', resource: a, ns: b, name: c };
    case 'mesh':
      if (n !== 3) return undefined;
      if (a === 'status') return { kind: 'mesh-status', remote: b };
      return a === 'remotes' ? { kind: 'mesh-remote', remote: b } : undefined;
    case 'status':
      if (a === 'agents' && n === 3) return { kind: 'agent-mesh-status', node: b };
      return a === 'pods' && n === 4 ? { kind: 'pod-status', ns: b, pod: c } : undefined;
    case 'alloc':
      if (a === 'podcidr' && n === 3) return { kind: 'podcidr-allocation', cidr: b.replace('_', '/') };
      if (a === 'clusterip' && n === 3) return { kind: 'clusterip-allocation', ip: b };
      return a === 'identities' && n === 4 ? { kind: 'identity-index', cluster: b, hash: c } : undefined;
    default:
      return undefined;
  }
}

/** parseKey narrowed to one kind: `parseKeyOf('endpoint', key)?.ns`; undefined for a key of any other kind. */
export function parseKeyOf<K extends KeyKind>(kind: K, key: string): Extract<ParsedKey, { readonly kind: K }> | undefined {
  const p = parseKey(key);
  return p?.kind === kind ? (p as Extract<ParsedKey, { readonly kind: K }>) : undefined;
}

/**
 * A key of a cluster's exported state of one kind, read from the cluster's own
 * key or from its mirror in a cache (keys.cacheOf): `parseExportedOf('identity', key)?.id`.
 */
export function parseExportedOf<K extends MirroredKey['kind']>(kind: K, key: string): Extract<MirroredKey, { readonly kind: K }> | undefined {
  const parsed = parseKey(key);
  const k = parsed?.kind === 'cache' ? parsed.inner : parsed;
  return k?.kind === kind ? (k as Extract<MirroredKey, { readonly kind: K }>) : undefined;
}
