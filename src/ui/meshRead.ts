/**
 * Reads `/api/mesh` from the context's etcd through the CLI's own readers:
 * the mesh's nodes (`weft node list`), services (`weft service list`) and
 * the clustermesh facts (`weft clustermesh status`).
 */
import type { KvBackend } from '../kvstore/backend.ts';
import type { Context } from '../contexts/contexts.ts';
import { listNodes } from '../cli/node.ts';
import { loadServiceStates } from '../cli/serviceStates.ts';
import { readMeshFacts } from '../clustermesh/meshStatusRead.ts';
import { meshStatusReport } from '../clustermesh/meshStatus.ts';
import { meshModel } from './meshModel.ts';
import type { MeshModel } from './meshModel.ts';

export async function readMesh(kv: KvBackend, ctx: Context, warn: (msg: string) => void, now: () => Date = () => new Date()): Promise<MeshModel> {
  const [nodes, services, facts] = await Promise.all([listNodes(kv, ctx.cluster), loadServiceStates(kv, ctx.cluster, warn), readMeshFacts(kv, ctx)]);
  return meshModel({ cluster: ctx.cluster, now: now().toISOString(), nodes, services, report: meshStatusReport(facts), remoteStatus: facts.remoteStatus });
}
