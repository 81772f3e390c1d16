/**
 * The agent's own node key: registered on start (keeping the PodCIDR the
 * operator assigned before a restart), marked ready once the node can run
 * pods. Every write is a compare-and-swap so it never clobbers the operator's.
 */
import { readFileSync } from 'node:fs';
import type { KvBackend } from '../kvstore/backend.ts';
import { keys } from '../kvstore/keys.ts';
import { tryParseJson } from '../kvstore/json.ts';
import { NodeState } from '../model/state.ts';
import { WeftError, ErrorCode } from '../errors.ts';

export interface NodeIdentity {
  readonly cluster: string;
  readonly clusterId: number;
  readonly node: string;
  readonly ip: string;
}

function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

/** Read-modify-write the node key with CAS; `update` gets the current value (undefined when absent). */
export async function updateNode(kv: KvBackend, id: NodeIdentity, update: (cur: NodeState | undefined) => NodeState): Promise<NodeState> {
  const key = keys.node(id.cluster, id.node);
  for (let attempt = 0; attempt < 20; attempt++) {
    const entry = await kv.get(key);
    const current = entry === undefined ? undefined : tryParseJson(NodeState, entry.value);
    const next = update(current);
    const ok = await kv.txn([{ key, modRevision: entry?.modRevision ?? 0 }], [{ op: 'put', key, value: JSON.stringify(next) }]);
    if (ok) return next;
  }
  throw new WeftError(ErrorCode.Conflict, `node ${id.cluster}/${id.node}: too many concurrent updates of ${key}`);
}

export function registerNode(kv: KvBackend, id: NodeIdentity): Promise<NodeState> {
  return updateNode(kv, id, (cur) => ({
    name: id.node,
    cluster: id.cluster,
    clusterId: id.clusterId,
    ip: id.ip,
    podCIDR: cur?.podCIDR ?? '',
    vtep: id.ip,
    bootId: bootId(),
    ready: cur?.ready ?? false,
  }));
}

export function setNodeReady(kv: KvBackend, id: NodeIdentity, ready: boolean): Promise<NodeState> {
  return updateNode(kv, id, (cur) => {
    if (cur === undefined) throw new WeftError(ErrorCode.NotFound, `node ${id.cluster}/${id.node} is not registered`);
    return { ...cur, ready };
  });
}
