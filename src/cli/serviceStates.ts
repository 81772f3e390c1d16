/**
 * The service states the CLI shows: this cluster's exported services and
 * the mesh cache's copies of the services of every connected remote.
 */
import type { KvBackend } from '../kvstore/backend.ts';
import { keys } from '../kvstore/keys.ts';
import { connectedRemotes, meshSources } from '../model/meshView.ts';
import { tryParseJson } from '../kvstore/json.ts';
import { ServiceState } from '../model/state.ts';

/** Valid ServiceState values under `prefix`; an invalid one is reported through `warn` and skipped. */
export async function readServiceStates(kv: KvBackend, prefix: string, warn: (msg: string) => void): Promise<ServiceState[]> {
  const { entries } = await kv.list(prefix);
  const out: ServiceState[] = [];
  for (const e of entries) {
    const state = tryParseJson(ServiceState, e.value);
    if (state !== undefined) out.push(state);
    else warn(`skipping invalid service value at ${e.key}`);
  }
  return out;
}

/** The local exported services and the cached services of every connected remote (weft/mesh/remotes/). */
export async function loadServiceStates(kv: KvBackend, cluster: string, warn: (msg: string) => void): Promise<{ local: ServiceState[]; remote: ServiceState[] }> {
  const [own, ...remotes] = meshSources(cluster, await connectedRemotes(kv, cluster), (c) => keys.servicesPrefix(c));
  const local = await readServiceStates(kv, own?.prefix ?? keys.servicesPrefix(cluster), warn);
  const perRemote = await Promise.all(remotes.map((s) => readServiceStates(kv, s.prefix, warn)));
  return { local, remote: perRemote.flat() };
}
