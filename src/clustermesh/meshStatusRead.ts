/**
 * Reads what `clustermesh status` and `status --verbose` show from the local
 * etcd: nodes, agents' mesh views, remote records and the reflector's status.
 */
import type { KvBackend } from '../kvstore/backend.ts';
import { keys, parseKeyOf } from '../kvstore/keys.ts';
import { getJson, tryParseJson } from '../kvstore/json.ts';
import { AgentMeshStatus } from '../model/agentMeshStatus.ts';
import { meshRemotes } from '../model/meshView.ts';
import { ClusterConfig, NodeState } from '../model/state.ts';
import type { Context } from '../contexts/contexts.ts';
import { RemoteStatus } from '../model/remoteStatus.ts';
import type { MeshStatusInput } from './meshStatus.ts';
import { z } from 'zod';

/** Only the flag of a service value (any other shape counts as not global). */
const GlobalFlag = z.object({ global: z.unknown() });

async function listValid<T>(kv: KvBackend, prefix: string, schema: z.ZodType<T>): Promise<T[]> {
  const out: T[] = [];
  for (const e of (await kv.list(prefix)).entries) {
    const value = tryParseJson(schema, e.value); // an invalid value is skipped, as every reader does
    if (value !== undefined) out.push(value);
  }
  return out;
}

/** Services marked global in this cluster (0 until services exist). */
async function countGlobalServices(kv: KvBackend, cluster: string): Promise<number> {
  let n = 0;
  for (const e of (await kv.list(keys.servicesPrefix(cluster))).entries) if (tryParseJson(GlobalFlag, e.value)?.global === true) n++;
  return n;
}

export interface MeshFacts extends MeshStatusInput {
  readonly config: ClusterConfig | undefined;
}

export async function readMeshFacts(kv: KvBackend, ctx: Context): Promise<MeshFacts> {
  const [config, nodes, agents, remoteEntries, statuses, globalServices] = await Promise.all([
    getJson(kv, keys.clusterConfig(ctx.cluster), ClusterConfig),
    listValid(kv, keys.nodesPrefix(ctx.cluster), NodeState),
    listValid(kv, keys.agentMeshStatusPrefix(), AgentMeshStatus),
    kv.list(keys.meshRemotesPrefix()),
    listValid(kv, keys.meshStatusPrefix(), RemoteStatus),
    countGlobalServices(kv, ctx.cluster),
  ]);
  return {
    config,
    cluster: ctx.cluster,
    accessEndpoints: ctx.endpoints,
    tls: ctx.tls !== undefined,
    nodes,
    agents,
    remotes: meshRemotes(
      ctx.cluster,
      remoteEntries.entries.flatMap((e) => parseKeyOf('mesh-remote', e.key)?.remote ?? []),
    ),
    remoteStatus: new Map(statuses.map((s) => [s.name, s])),
    globalServices,
  };
}
