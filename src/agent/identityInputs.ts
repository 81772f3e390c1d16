/**
 * What the agent needs for identities beside the allocator: the Namespace
 * objects' labels (they are part of every endpoint's identity) and the list
 * of every known identity (this cluster's + the mesh cache's) that the policy
 * compiler selects from.
 */
import type { KvBackend } from '../kvstore/backend.ts';
import { keys } from '../kvstore/keys.ts';
import { WatchStore } from '../kvstore/watchStore.ts';
import { identityInfoOf, sortIdentities } from '../identity/identityInfo.ts';
import { namespaceKind } from '../model/kinds/namespace.ts';
import type { Namespace } from '../model/kinds/namespace.ts';
import { parseStoredResource } from '../model/resourceStore.ts';
import type { IdentityState } from '../model/state.ts';
import type { IdentityInfo } from '../policy/types.ts';
import type { Logger } from '../util/log.ts';

/** A watch of the Namespace objects; `onChange` on every label change (and once synced). */
export function watchNamespaces(kv: KvBackend, logger: Logger, onChange: () => void): WatchStore<Namespace> {
  return new WatchStore<Namespace>({
    kv,
    prefix: keys.resourcesPrefix(namespaceKind.plural),
    parse: (k, v) => parseStoredResource(namespaceKind, k, v),
    logger,
    onUpsert: onChange,
    onDelete: onChange,
    onSynced: onChange,
  });
}

/** The labels of Namespace `ns`, or undefined when it has no object. */
export function namespaceLabelsOf(namespaces: WatchStore<Namespace>, ns: string): Readonly<Record<string, string>> | undefined {
  return namespaces.get(keys.clusterResource(namespaceKind.plural, ns))?.metadata.labels;
}

/**
 * Every identity the node knows, sorted by id: this cluster's (entries of a
 * WatchStore over keys.identitiesPrefix(cluster)) and the remote clusters'
 * (MeshCache.remoteIdentities()). Reserved identities are not included.
 */
export function knownIdentities(local: Iterable<readonly [string, IdentityState]>, remote: readonly IdentityInfo[]): IdentityInfo[] {
  const out: IdentityInfo[] = [];
  for (const [key, state] of local) {
    const info = identityInfoOf(key, state);
    if (info !== undefined) out.push(info);
  }
  return sortIdentities([...out, ...remote]);
}
