/**
 * Proof that the agents came back over mTLS: each restarted agent rewrites
 * its node key on start (a newer modRevision) and marks it ready again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { WeftError, ErrorCode, errorMessage } from '../errors.ts';
import type { KvBackend } from '../kvstore/backend.ts';
import { keys, parseKeyOf } from '../kvstore/keys.ts';
import { tryParseJson } from '../kvstore/json.ts';
import { NodeState } from '../model/state.ts';

/** modRevision of every node key of the cluster, by node name. */
export async function nodeRevisions(kv: KvBackend, cluster: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const e of (await kv.list(keys.nodesPrefix(cluster))).entries) {
    const k = parseKeyOf('node', e.key);
    if (k !== undefined) out.set(k.node, e.modRevision);
  }
  return out;
}

/** Pure: which of the nodes have not re-registered (newer key, ready, with a PodCIDR) yet, with why. */
export function pendingReregistration(
  entries: readonly { key: string; value: string; modRevision: number }[],
  cluster: string,
  nodes: readonly string[],
  before: ReadonlyMap<string, number>,
): string[] {
  const pending: string[] = [];
  for (const node of nodes) {
    const e = entries.find((x) => x.key === keys.node(cluster, node));
    if (e === undefined) {
      pending.push(`${node}: not registered`);
      continue;
    }
    if (e.modRevision <= (before.get(node) ?? 0)) {
      pending.push(`${node}: not re-registered yet`);
      continue;
    }
    const state = tryParseJson(NodeState, e.value);
    if (state === undefined) pending.push(`${node}: invalid node state`);
    else if (!state.ready || state.podCIDR === '') pending.push(`${node}: not ready`);
  }
  return pending;
}

export async function waitNodesReregistered(kv: KvBackend, cluster: string, nodes: readonly string[], before: ReadonlyMap<string, number>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = nodes.map((n) => `${n}: no answer yet`);
  while (Date.now() < deadline) {
    try {
      last = pendingReregistration((await kv.list(keys.nodesPrefix(cluster))).entries, cluster, nodes, before);
      if (last.length === 0) return;
    } catch (err) {
      last = [`etcd: ${errorMessage(err)}`];
    }
    await sleep(250);
  }
  throw new WeftError(ErrorCode.Timeout, `agents of ${cluster} did not re-register over mTLS within ${timeoutMs} ms (${last.join(', ')})`);
}
