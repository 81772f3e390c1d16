/**
 * What `weft lab up` does with a cluster's etcd: wait until it answers, write
 * the ClusterConfig, wait until every node has registered ready with a PodCIDR.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { WeftError, ErrorCode } from '../errors.ts';
import { keys } from '../kvstore/keys.ts';
import { tryParseJson } from '../kvstore/json.ts';
import type { KvBackend } from '../kvstore/backend.ts';
import type { EtcdTls } from '../kvstore/etcd.ts';
import { ClusterConfig, NodeState } from '../model/state.ts';
import { probeEtcdHealth } from './etcdHealth.ts';

/**
 * Polls `<endpoint>/health` until etcd says healthy; `check` throws to abort
 * early (e.g. etcd exited); `tls` when etcd serves mTLS.
 */
export async function waitEtcdHealthy(endpoint: string, timeoutMs: number, check: () => void = () => undefined, tls?: EtcdTls): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    check();
    try {
      const body = await probeEtcdHealth(endpoint, tls);
      if (body.health === 'true') return;
      last = `health=${String(body.health)}${body.reason === undefined ? '' : ` (${body.reason})`}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await sleep(100);
  }
  throw new WeftError(ErrorCode.Timeout, `etcd at ${endpoint} is not healthy after ${timeoutMs} ms: ${last}`);
}

export async function writeClusterConfig(kv: KvBackend, cfg: ClusterConfig): Promise<string> {
  const key = keys.clusterConfig(cfg.name);
  await kv.put(key, JSON.stringify(ClusterConfig.parse(cfg)));
  return key;
}

export interface NodeReadiness {
  ready: NodeState[];
  /** Expected nodes not yet ready, with why. */
  pending: { node: string; reason: string }[];
}

/** Pure: which of the expected nodes are registered, ready and hold a PodCIDR. */
export function nodeReadiness(entries: readonly { key: string; value: string }[], cluster: string, nodes: readonly string[]): NodeReadiness {
  const out: NodeReadiness = { ready: [], pending: [] };
  for (const node of nodes) {
    const entry = entries.find((e) => e.key === keys.node(cluster, node));
    if (entry === undefined) {
      out.pending.push({ node, reason: 'not registered' });
      continue;
    }
    const state = tryParseJson(NodeState, entry.value);
    if (state === undefined) {
      out.pending.push({ node, reason: 'invalid node state' });
      continue;
    }
    if (!state.ready) out.pending.push({ node, reason: 'not ready' });
    else if (state.podCIDR === '') out.pending.push({ node, reason: 'no PodCIDR yet' });
    else out.ready.push(state);
  }
  return out;
}

export interface WaitNodesOptions {
  timeoutMs: number;
  pollMs?: number;
  /** Throws to abort early (a process died). */
  check?: () => void;
}

export async function waitNodesReady(kv: KvBackend, cluster: string, nodes: readonly string[], opts: WaitNodesOptions): Promise<NodeState[]> {
  const deadline = Date.now() + opts.timeoutMs;
  let last: NodeReadiness = { ready: [], pending: nodes.map((node) => ({ node, reason: 'not registered' })) };
  while (Date.now() < deadline) {
    opts.check?.();
    try {
      const list = await kv.list(keys.nodesPrefix(cluster));
      last = nodeReadiness(list.entries, cluster, nodes);
      if (last.pending.length === 0) return last.ready;
    } catch {
      /* etcd briefly unavailable: try again */
    }
    await sleep(opts.pollMs ?? 250);
  }
  const why = last.pending.map((p) => `${p.node}: ${p.reason}`).join(', ');
  throw new WeftError(ErrorCode.Timeout, `nodes of ${cluster} not ready after ${opts.timeoutMs} ms (${why})`);
}
