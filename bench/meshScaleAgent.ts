/**
 * Child process of bench/meshScale.ts: what an agent holds of the other
 * clusters, measured alone in its own process (run with --expose-gc).
 *
 *   cache  — the agent's MeshCache: one watch over the local weft/cache/ that
 *            the operator's reflector fills (Weft's design, like KVStoreMesh)
 *   direct — the baseline: one etcd client per remote cluster, watching its
 *            nodes, endpoints and cluster config directly (N connections)
 *
 * Both first open the agent's own local etcd connection (every agent has it);
 * then the baseline RSS is taken (after GC). Prints ONE JSON line: RSS before
 * and after the initial sync (after GC), entries held, sync time, remote
 * connections opened.
 */
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { MeshCache } from '../src/agent/meshCache.ts';
import type { KvBackend } from '../src/kvstore/backend.ts';
import { createEtcdKv } from '../src/kvstore/etcd.ts';
import { jsonParser } from '../src/kvstore/json.ts';
import { keys } from '../src/kvstore/keys.ts';
import { WatchStore } from '../src/kvstore/watchStore.ts';
import { ClusterConfig, EndpointState, NodeState } from '../src/model/state.ts';
import { silentLogger } from '../src/util/log.ts';

const { values } = parseArgs({ options: { mode: { type: 'string' }, local: { type: 'string' }, remotes: { type: 'string', default: '[]' } } });

async function settledRss(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await sleep(50);
  }
  return process.memoryUsage.rss();
}

function heap(): Record<string, number> {
  const m = process.memoryUsage();
  const mib = (x: number): number => Math.round(x / 1048576);
  return { heapUsedMiB: mib(m.heapUsed), heapTotalMiB: mib(m.heapTotal), externalMiB: mib(m.external), arrayBuffersMiB: mib(m.arrayBuffers), rssMiB: mib(m.rss) };
}

// Every agent has a connection to its own cluster's etcd anyway: open and use
// it before the baseline, so the figures are what holding the mesh adds.
const local = createEtcdKv({ endpoints: [values.local ?? ''], dialTimeoutMs: 30_000 });
await local.get(keys.clusterConfig('warm-up'));
const before = await settledRss();
const heapBefore = heap();
const t0 = performance.now();
const clients: KvBackend[] = [local];
let entries: number;
const closers: (() => void)[] = [];

if (values.mode === 'cache') {
  const cache = new MeshCache(local, silentLogger, () => undefined);
  cache.start();
  await cache.synced;
  entries = cache.remoteEndpoints().length + cache.remoteNodes().length + cache.remotes().length;
  closers.push(() => cache.close());
} else {
  // [cluster, endpoint][]
  const remotes = JSON.parse(values.remotes ?? '[]') as [string, string][];
  const stores: { start(): void; close(): void; readonly synced: Promise<void>; entries(): unknown[] }[] = [];
  for (const [cluster, endpoint] of remotes) {
    // one connection per remote cluster (clusters sharing a bench etcd still get their own, as separate clusters would)
    const kv = createEtcdKv({ endpoints: [endpoint], dialTimeoutMs: 30_000 });
    clients.push(kv);
    stores.push(
      new WatchStore({ kv, prefix: keys.nodesPrefix(cluster), parse: jsonParser(NodeState), logger: silentLogger }),
      new WatchStore({ kv, prefix: keys.endpointsPrefix(cluster), parse: jsonParser(EndpointState), logger: silentLogger }),
      new WatchStore({ kv, prefix: keys.clusterConfig(cluster), parse: jsonParser(ClusterConfig), logger: silentLogger }),
    );
  }
  for (const s of stores) s.start();
  await Promise.all(stores.map((s) => s.synced));
  entries = stores.reduce((n, s) => n + s.entries().length, 0);
  closers.push(() => stores.forEach((s) => s.close()));
}
const syncMs = performance.now() - t0;
const after = await settledRss();
process.stdout.write(`${JSON.stringify({ mode: values.mode, rssBefore: before, rssAfter: after, entries, syncMs: Math.round(syncMs), remoteConnections: clients.length - 1, heapBefore, heapAfter: heap() })}\n`);
for (const c of closers) c();
await Promise.all(clients.map((c) => c.close()));
