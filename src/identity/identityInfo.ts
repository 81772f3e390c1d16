/**
 * Identities as the rest of Weft sees them (IdentityInfo): parsed from the
 * keys of this cluster (weft/state/identities/v1/<cluster>/<id>) or of the
 * mesh cache (weft/cache/<remote>/state/identities/v1/<remote>/<id>).
 */
import { parseExportedOf } from '../kvstore/keys.ts';
import type { IdentityState } from '../model/state.ts';
import type { IdentityInfo } from '../policy/types.ts';
import { sortedLabels } from './labels.ts';

/** The cluster and id an identity key names (local or mirrored), or undefined for any other key. */
export function identityKeyOf(key: string): { cluster: string; id: number } | undefined {
  const k = parseExportedOf('identity', key);
  return k === undefined ? undefined : { cluster: k.cluster, id: k.id };
}

/** IdentityInfo of a stored identity, or undefined when the key is not an identity key. */
export function identityInfoOf(key: string, state: IdentityState): IdentityInfo | undefined {
  const k = identityKeyOf(key);
  return k === undefined ? undefined : identityInfo(k, state);
}

/** IdentityInfo of the identity `id` of `cluster`, labels sorted. */
export function identityInfo(k: { readonly cluster: string; readonly id: number }, state: IdentityState): IdentityInfo {
  return { id: k.id, cluster: k.cluster, labels: sortedLabels(state.labels) };
}

/** Identities sorted by id, one per id (the first wins). */
export function sortIdentities(list: Iterable<IdentityInfo>): IdentityInfo[] {
  const byId = new Map<number, IdentityInfo>();
  for (const i of list) if (!byId.has(i.id)) byId.set(i.id, i);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}
