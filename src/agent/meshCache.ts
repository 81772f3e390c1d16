/**
 * The agent's view of the other clusters: one watch over the local
 * `weft/cache/` that the operator's reflector fills (agents never talk to a
 * remote etcd). Keys are read with keys.ts's parseKey; anything else is
 * ignored.
 */
import { z } from 'zod';
import { ErrorCode, WeftError } from '../errors.ts';
import type { KvBackend } from '../kvstore/backend.ts';
import { isKnownStateKey, keys, parseCacheKey, parseKey, parseStateKey } from '../kvstore/keys.ts';
import { WatchStore } from '../kvstore/watchStore.ts';
import { identityInfo } from '../identity/identityInfo.ts';
import type { AgentMeshStatus } from '../model/agentMeshStatus.ts';
import { countsAsRemote, meshRemotes } from '../model/meshView.ts';
import { ClusterConfig, EndpointState, IdentityState, NodeState, ServiceState } from '../model/state.ts';
import type { IdentityInfo } from '../policy/types.ts';
import type { Logger } from '../util/log.ts';

export type CacheEntry =
  | { readonly kind: 'node'; readonly remote: string; readonly value: NodeState }
  | { readonly kind: 'endpoint'; readonly remote: string; readonly value: EndpointState }
  | { readonly kind: 'cluster-config'; readonly remote: string; readonly value: ClusterConfig }
  | { readonly kind: 'service'; readonly remote: string; readonly value: ServiceState }
  | { readonly kind: 'identity'; readonly remote: string; readonly value: IdentityInfo }
  | { readonly kind: 'other'; readonly remote: string; readonly value: unknown };

/** Parse one cache key/value (throws on an invalid value or malformed key of a known kind: the watch-store logs and skips it). */
export function parseCacheEntry(key: string, value: string): CacheEntry {
  const cached = parseCacheKey(key);
  if (cached === undefined) return { kind: 'other', remote: '', value: null };
  const { remote } = cached;
  const json: unknown = JSON.parse(value);
  const parsed = parseKey(key);
  if (parsed?.kind !== 'cache') {
    const state = parseStateKey(cached.key);
    if (state !== undefined && state.cluster === remote && isKnownStateKey(state)) {
      throw new WeftError(ErrorCode.KvInvalidValue, `key ${key} is not a valid ${state.type} key of cluster ${remote}`);
    }
    return { kind: 'other', remote, value: z.unknown().parse(json) };
  }
  const inner = parsed.inner;
  switch (inner.kind) {
    case 'node':
      return { kind: 'node', remote, value: NodeState.parse(json) };
    case 'endpoint':
      return { kind: 'endpoint', remote, value: EndpointState.parse(json) };
    case 'service':
      return { kind: 'service', remote, value: ServiceState.parse(json) };
    case 'identity':
      return { kind: 'identity', remote, value: identityInfo(inner, IdentityState.parse(json)) };
    case 'cluster-config':
      return { kind: 'cluster-config', remote, value: ClusterConfig.parse(json) };
  }
}

export class MeshCache {
  readonly #store: WatchStore<CacheEntry>;
  readonly #cluster: string;

  /** `cluster`: this agent's cluster; a cache of it never counts as a remote (model/meshView.ts). */
  constructor(kv: KvBackend, logger: Logger, onChange: () => void, cluster = '') {
    this.#cluster = cluster;
    this.#store = new WatchStore<CacheEntry>({
      kv,
      prefix: keys.cacheRoot(),
      parse: parseCacheEntry,
      logger,
      onUpsert: onChange,
      onDelete: onChange,
      onSynced: onChange,
    });
  }

  start(): void {
    this.#store.start();
  }

  get synced(): Promise<void> {
    return this.#store.synced;
  }

  isSynced(): boolean {
    return this.#store.isSynced();
  }

  /** The cached entries that belong to the mesh. */
  *#entries(): Generator<CacheEntry> {
    for (const e of this.#store.values()) if (countsAsRemote(this.#cluster, e.remote)) yield e;
  }

  remoteNodes(): NodeState[] {
    const out: NodeState[] = [];
    for (const e of this.#entries()) if (e.kind === 'node') out.push(e.value);
    return out;
  }

  remoteEndpoints(): EndpointState[] {
    const out: EndpointState[] = [];
    for (const e of this.#entries()) if (e.kind === 'endpoint') out.push(e.value);
    return out;
  }

  /** Remote endpoints with their cluster, namespace and pod (the flows' enrichment). */
  remoteNamedEndpoints(): { cluster: string; namespace: string; pod: string; value: EndpointState }[] {
    const out: { cluster: string; namespace: string; pod: string; value: EndpointState }[] = [];
    for (const [key, e] of this.#store.entries()) {
      if (e.kind !== 'endpoint' || !countsAsRemote(this.#cluster, e.remote)) continue;
      const p = parseKey(key);
      if (p?.kind === 'cache' && p.inner.kind === 'endpoint') out.push({ cluster: p.inner.cluster, namespace: p.inner.ns, pod: p.inner.pod, value: e.value });
    }
    return out;
  }

  remoteServices(): ServiceState[] {
    const out: ServiceState[] = [];
    for (const e of this.#entries()) if (e.kind === 'service') out.push(e.value);
    return out;
  }

  /** Identities of every remote cluster (mirrored by the operator's reflector). */
  remoteIdentities(): IdentityInfo[] {
    const out: IdentityInfo[] = [];
    for (const e of this.#entries()) if (e.kind === 'identity') out.push(e.value);
    return out;
  }

  /** Remote clusters whose configuration the cache holds, sorted. */
  remotes(): string[] {
    const names = new Set<string>();
    for (const e of this.#entries()) if (e.kind === 'cluster-config') names.add(e.remote);
    return meshRemotes(this.#cluster, names);
  }

  close(): void {
    this.#store.close();
  }
}

/** Writes the agent's mesh status when the set of synced remotes changes. */
export class AgentMeshReporter {
  readonly #kv: KvBackend;
  readonly #node: string;
  #last: string | undefined;

  constructor(kv: KvBackend, node: string) {
    this.#kv = kv;
    this.#node = node;
  }

  async report(remotes: readonly string[]): Promise<void> {
    const sig = remotes.join(',');
    if (sig === this.#last) return;
    const status: AgentMeshStatus = { node: this.#node, remotes: [...remotes], updatedAt: new Date().toISOString() };
    await this.#kv.put(keys.agentMeshStatus(this.#node), JSON.stringify(status));
    this.#last = sig;
  }
}
