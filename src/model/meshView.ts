/**
 * What "the mesh" is, for every reader (the CLI's lists and the agent's
 * mesh cache alike): this cluster plus each remote cluster it is connected
 * to, whose state is what the operator's reflector mirrored under
 * weft/cache/<remote>/ (keys naming that remote). A remote counts when it
 * has a connection record (weft/mesh/remotes/<remote>) and is not the
 * cluster itself. Agents may not read the records (docs/security.md): for
 * them the cache stands for the records, since the reflector removes a
 * remote's cache together with its record (docs/architecture.md ›
 * Processes), so both views agree once the reflector has caught up.
 */
import type { KvBackend } from '../kvstore/backend.ts';
import { keys, parseKeyOf } from '../kvstore/keys.ts';

/** The remotes among `names` that count: never the cluster itself; sorted, each once. */
export function meshRemotes(cluster: string, names: Iterable<string>): string[] {
  return [...new Set(names)].filter((r) => r !== '' && r !== cluster).sort();
}

/** True when state mirrored from `remote` belongs to the mesh of `cluster`. */
export function countsAsRemote(cluster: string, remote: string): boolean {
  return remote !== '' && remote !== cluster;
}

/** The remote clusters `cluster` is connected to (its connection records), sorted. */
export async function connectedRemotes(kv: KvBackend, cluster: string): Promise<string[]> {
  const { entries } = await kv.list(keys.meshRemotesPrefix());
  return meshRemotes(
    cluster,
    entries.flatMap((e) => parseKeyOf('mesh-remote', e.key)?.remote ?? []),
  );
}

export interface MeshSource {
  readonly cluster: string;
  readonly prefix: string;
}

/** Where one kind of state of the mesh is read: this cluster's own prefix, then each remote's copy in the cache. */
export function meshSources(cluster: string, remotes: readonly string[], prefixOf: (cluster: string) => string): MeshSource[] {
  return [{ cluster, prefix: prefixOf(cluster) }, ...meshRemotes(cluster, remotes).map((r) => ({ cluster: r, prefix: keys.cacheOf(r, prefixOf(r)) }))];
}
