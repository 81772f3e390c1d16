/**
 * Mesh scale: the reflector of `weft operator` mirroring 50 remote clusters
 * holding 100k endpoints into the local etcd, and what an agent then pays to
 * hold them — beside the baseline where every agent watches every remote
 * etcd itself (no reflector; N connections per agent).
 *
 * Design: one real local etcd and, by default, one real etcd per remote
 * cluster (50 × /usr/bin/etcd, ~25 MiB each): each cluster owns its kvstore,
 * as in the mesh, and the reflector opens 50 connections. With
 * --remote-etcds N < clusters, clusters share etcds (cluster i on etcd i mod
 * N); each reflector connection then lists every cluster on its etcd and
 * filters by the cluster segment, so that mode overstates the sync cost.
 *
 *   node bench/meshScale.ts [--clusters 50] [--endpoints 100000] [--nodes-per-cluster 20] [--remote-etcds 50]
 *                           [--v8-flags '--max-semi-space-size=8']
 *
 * Measured: the reflector's initial sync (records written → every remote
 * ready with every key counted in the local cache), the operator's RSS
 * before / after / peak; per agent (a child process each, RSS after GC):
 * RSS delta per remote endpoint and sync time for the cache (one watch on
 * weft/cache/) and for the direct baseline. Prints ONE JSON line. Needs the
 * etcd binary; everything it starts is stopped, temp dirs removed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestEtcd, type TestEtcd } from '../test/support/etcd.ts';
import type { KvBackend, KvOp } from '../src/kvstore/backend.ts';
import { createEtcdKv } from '../src/kvstore/etcd.ts';
import { keys } from '../src/kvstore/keys.ts';
import type { RemoteConfig } from '../src/model/remoteConfig.ts';
import { RemoteStatus } from '../src/model/remoteStatus.ts';
import type { ClusterConfig, EndpointState, NodeState } from '../src/model/state.ts';
import { CLI_ENTRY, NODE_BIN } from '../src/util/paths.ts';
import { isAlive, recordProcess, stopProcess, type ProcessRecord } from '../src/util/proc.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    clusters: { type: 'string', default: '50' },
    endpoints: { type: 'string', default: '100000' },
    'nodes-per-cluster': { type: 'string', default: '20' },
    'remote-etcds': { type: 'string', default: '' },
    'v8-flags': { type: 'string', default: '--max-semi-space-size=8' },
  },
});
const CLUSTERS = Math.max(1, Math.min(200, Number(values.clusters)));
const ENDPOINTS = Math.max(CLUSTERS, Math.min(1_000_000, Number(values.endpoints)));
const NODES = Math.max(1, Math.min(1000, Number(values['nodes-per-cluster'])));
const REMOTE_ETCDS = Math.max(1, Math.min(CLUSTERS, Number(values['remote-etcds'] || CLUSTERS)));
const LOCAL = 'mesh0';
const SYNC_TIMEOUT_MS = 180_000;
const TARGET_BYTES_PER_ENDPOINT = 2048;
const TARGET_SYNC_MS = 10_000;
/**
 * V8 flags for the operator and agent processes measured. A capped young
 * generation (--max-semi-space-size, MiB) keeps V8 from holding on to the
 * ~100 MiB of new space it grows while the initial 100k-key list is parsed;
 * the live heap is the same. One extra agent run uses V8's defaults.
 */
const V8_FLAGS = (values['v8-flags'] ?? '').split(/\s+/).filter((f) => /^--[a-z0-9-]+(=[\w.]+)?$/.test(f));

const MiB = 1024 * 1024;
const r1 = (x: number): number => Math.round(x * 10) / 10;
const say = (msg: string): void => void process.stderr.write(`[meshScale] ${msg}\n`);

const clusterName = (i: number): string => `r${String(i + 1).padStart(3, '0')}`;

function clusterConfig(name: string, id: number): ClusterConfig {
  return { id, name, podCIDRs: [`10.${id}.0.0/16`], serviceCIDR: `10.${100 + (id % 100)}.${id}.0/24`, routingMode: 'tunnel', nodeCidrMaskSize: 24, capabilities: [] };
}

function endpoint(cluster: string, id: number, i: number, nodes: number): EndpointState {
  const node = i % nodes;
  return {
    ip: `10.${id}.${node}.${(i % 250) + 2}`,
    node: `n${node}`,
    hostIP: `172.30.${id}.${10 + node}`,
    identity: (id << 16) | (i % 500),
    labels: { app: `app-${i % 500}`, 'io.cilium.k8s.policy.cluster': cluster, 'io.kubernetes.pod.namespace': `ns-${i % 20}`, tier: i % 2 === 0 ? 'web' : 'db' },
    namedPorts: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    ready: true,
  };
}

function vmStatus(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? NaN) * 1024;
}

/** Run fn over items, `width` at a time; every call of a batch settles before the next batch or the first error is thrown. */
async function inBatches<T>(items: readonly T[], width: number, fn: (t: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += width) {
    const results = await Promise.allSettled(items.slice(i, i + width).map(fn));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }
}

/** A test etcd; a start that fails (e.g. a port taken between picking and binding) is tried again, 3 times at most. */
async function startEtcdWithRetry(): Promise<TestEtcd> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startTestEtcd();
    } catch (err) {
      if (attempt >= 3) throw err;
      say(`etcd did not start (attempt ${attempt}): ${String(err).slice(0, 300)}`);
    }
  }
}

async function seedCluster(kv: KvBackend, name: string, id: number, endpoints: number): Promise<void> {
  const ops: KvOp[] = [{ op: 'put', key: keys.clusterConfig(name), value: JSON.stringify(clusterConfig(name, id)) }];
  for (let n = 0; n < NODES; n++) {
    const ip = `172.30.${id}.${10 + n}`;
    const node: NodeState = { name: `n${n}`, cluster: name, clusterId: id, ip, podCIDR: `10.${id}.${n}.0/24`, vtep: ip, bootId: 'bench', ready: true };
    ops.push({ op: 'put', key: keys.node(name, `n${n}`), value: JSON.stringify(node) });
  }
  for (let i = 0; i < endpoints; i++) ops.push({ op: 'put', key: keys.endpoint(name, `ns-${i % 20}`, `pod-${i}`), value: JSON.stringify(endpoint(name, id, i, NODES)) });
  for (let i = 0; i < ops.length; i += 128) await kv.txn([], ops.slice(i, i + 128));
  await kv.put(keys.synced(name, 'state'), new Date().toISOString());
}

interface AgentFigures {
  mode: string;
  rssBefore: number;
  rssAfter: number;
  entries: number;
  syncMs: number;
  remoteConnections: number;
}

async function runAgent(mode: 'cache' | 'direct', args: string[], v8Flags: readonly string[]): Promise<AgentFigures> {
  const child = spawn(NODE_BIN, ['--no-warnings=ExperimentalWarning', '--expose-gc', ...v8Flags, path.join(here, 'meshScaleAgent.ts'), '--mode', mode, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`cannot spawn the ${mode} agent`);
  const rec = recordProcess(child.pid);
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
  child.stderr.on('data', (b: Buffer) => (err = (err + b.toString('utf8')).slice(-4000)));
  const timer = setTimeout(() => void stopProcess(rec, 2000), SYNC_TIMEOUT_MS);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  if (code !== 0) throw new Error(`${mode} agent exited ${code}: ${err}`);
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as AgentFigures;
}

function startOperator(localEndpoint: string, stateDir: string): { rec: ProcessRecord; log: () => string } {
  const child = spawn(NODE_BIN, ['--no-warnings=ExperimentalWarning', ...V8_FLAGS, CLI_ENTRY, 'operator', '--cluster', LOCAL, '--etcd', localEndpoint, '--state-dir', stateDir, '--http-listen', '127.0.0.1:0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (child.pid === undefined) throw new Error('cannot spawn the operator');
  let log = '';
  child.stderr.on('data', (b: Buffer) => (log = (log + b.toString('utf8')).slice(-20_000)));
  return { rec: recordProcess(child.pid), log: () => log };
}

async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs: number, pollMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(pollMs);
  }
}

const etcds: TestEtcd[] = [];
const clients: KvBackend[] = [];
const dir = mkdtempSync(path.join(tmpdir(), 'weft-bench-mesh-'));
let operator: { rec: ProcessRecord; log: () => string } | undefined;
try {
  say(`starting 1 local + ${REMOTE_ETCDS} remote etcds`);
  const local = await startEtcdWithRetry();
  etcds.push(local);
  const remotes: TestEtcd[] = [];
  await inBatches(Array.from({ length: REMOTE_ETCDS }, (_, i) => i), 10, async () => {
    const e = await startEtcdWithRetry();
    etcds.push(e);
    remotes.push(e);
  });
  const lkv = createEtcdKv({ endpoints: [local.endpoint], dialTimeoutMs: 30_000 });
  clients.push(lkv);
  const remoteKvs = remotes.map((e) => createEtcdKv({ endpoints: [e.endpoint], dialTimeoutMs: 30_000 }));
  clients.push(...remoteKvs);

  const perCluster = Math.floor(ENDPOINTS / CLUSTERS);
  const total = perCluster * CLUSTERS;
  say(`seeding ${CLUSTERS} clusters × (${perCluster} endpoints + ${NODES} nodes)`);
  const t0seed = Date.now();
  await inBatches(Array.from({ length: CLUSTERS }, (_, i) => i), 10, (i) => seedCluster(remoteKvs[i % REMOTE_ETCDS] as KvBackend, clusterName(i), i + 2, perCluster));
  say(`seeded in ${Date.now() - t0seed} ms`);

  await lkv.put(keys.clusterConfig(LOCAL), JSON.stringify(clusterConfig(LOCAL, 1)));
  operator = startOperator(local.endpoint, path.join(dir, 'operator'));
  const op = operator;
  await waitUntil('the operator to start', async () => (await lkv.get(keys.synced(LOCAL, 'state'))) !== undefined, 30_000);
  await sleep(500);
  const opRssBefore = vmStatus(op.rec.pid, 'VmRSS');

  say('connecting the remotes; waiting for the reflector to sync');
  const t0 = Date.now();
  const records: KvOp[] = Array.from({ length: CLUSTERS }, (_, i) => {
    const cfg: RemoteConfig = { name: clusterName(i), clusterId: i + 2, endpoints: [(remotes[i % REMOTE_ETCDS] as TestEtcd).endpoint], caPem: '' };
    return { op: 'put', key: keys.meshRemote(cfg.name), value: JSON.stringify(cfg) };
  });
  for (let i = 0; i < records.length; i += 128) await lkv.txn([], records.slice(i, i + 128));
  let lastSeen = '';
  await waitUntil(
    'every remote ready with all endpoints cached',
    async () => {
      const st = (await lkv.list(keys.meshStatusPrefix())).entries.map((e) => RemoteStatus.parse(JSON.parse(e.value)));
      const eps = st.reduce((n, s) => n + s.counts.endpoints, 0);
      const nodes = st.reduce((n, s) => n + s.counts.nodes, 0);
      const ready = st.filter((s) => s.ready).length;
      lastSeen = `${ready}/${CLUSTERS} ready, ${eps}/${total} endpoints, ${nodes}/${CLUSTERS * NODES} nodes`;
      return ready === CLUSTERS && eps === total && nodes === CLUSTERS * NODES;
    },
    SYNC_TIMEOUT_MS,
    50,
  ).catch((err: unknown) => {
    throw new Error(`${String(err)} (last: ${lastSeen}); operator log tail:\n${op.log().slice(-3000)}`);
  });
  const syncMs = Date.now() - t0;
  say(`reflector synced in ${syncMs} ms (${lastSeen})`);
  await sleep(500);
  const opRssAfter = vmStatus(op.rec.pid, 'VmRSS');
  const opRssPeak = vmStatus(op.rec.pid, 'VmHWM');

  say('agent (cache): one watch on the local weft/cache/');
  const cache = await runAgent('cache', ['--local', local.endpoint], V8_FLAGS);
  const cacheDefaultV8 = V8_FLAGS.length === 0 ? cache : await runAgent('cache', ['--local', local.endpoint], []);
  say('agent (direct baseline): a watch per remote cluster etcd');
  const direct = await runAgent('direct', ['--local', local.endpoint, '--remotes', JSON.stringify(Array.from({ length: CLUSTERS }, (_, i) => [clusterName(i), (remotes[i % REMOTE_ETCDS] as TestEtcd).endpoint]))], V8_FLAGS);

  const perEndpoint = (a: AgentFigures): number => Math.round((a.rssAfter - a.rssBefore) / total);
  const agentCache = { rssDeltaMiB: r1((cache.rssAfter - cache.rssBefore) / MiB), bytesPerEndpoint: perEndpoint(cache), syncMs: cache.syncMs, entries: cache.entries, remoteEtcdConnections: cache.remoteConnections };
  const agentDirect = { rssDeltaMiB: r1((direct.rssAfter - direct.rssBefore) / MiB), bytesPerEndpoint: perEndpoint(direct), syncMs: direct.syncMs, entries: direct.entries, remoteEtcdConnections: direct.remoteConnections };
  const figures = {
    bench: 'meshScale',
    clusters: CLUSTERS,
    remoteEtcds: REMOTE_ETCDS,
    endpoints: total,
    nodes: CLUSTERS * NODES,
    reflector: {
      syncMs,
      operatorRssBeforeMiB: r1(opRssBefore / MiB),
      operatorRssAfterMiB: r1(opRssAfter / MiB),
      operatorPeakRssMiB: r1(opRssPeak / MiB),
      operatorBytesPerEndpoint: Math.round((opRssAfter - opRssBefore) / total),
      remoteWatchConnections: CLUSTERS,
    },
    v8Flags: V8_FLAGS,
    agent: { cache: agentCache, direct: agentDirect, cacheDefaultV8: { rssDeltaMiB: r1((cacheDefaultV8.rssAfter - cacheDefaultV8.rssBefore) / MiB), bytesPerEndpoint: perEndpoint(cacheDefaultV8), syncMs: cacheDefaultV8.syncMs } },
    ratios: {
      agentRssCacheOverDirect: Math.round(((cache.rssAfter - cache.rssBefore) / Math.max(1, direct.rssAfter - direct.rssBefore)) * 100) / 100,
      agentSyncCacheOverDirect: Math.round((cache.syncMs / Math.max(1, direct.syncMs)) * 100) / 100,
      /** Watch connections each remote etcd serves for a 100-node local cluster: 1 (the operator) vs 100 (every agent). */
      remoteEtcdWatchersPer100Nodes: { reflector: 1, direct: 100 },
    },
    targets: { agentBytesPerEndpoint: TARGET_BYTES_PER_ENDPOINT, syncMs: TARGET_SYNC_MS },
    met: {
      agentBytesPerEndpoint: agentCache.bytesPerEndpoint <= TARGET_BYTES_PER_ENDPOINT,
      agentBytesPerEndpointDefaultV8: perEndpoint(cacheDefaultV8) <= TARGET_BYTES_PER_ENDPOINT,
      syncMs: syncMs <= TARGET_SYNC_MS,
    },
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
} catch (err) {
  process.stderr.write(`meshScale failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  if (operator !== undefined && isAlive(operator.rec)) await stopProcess(operator.rec, 5000);
  await Promise.all(clients.map((c) => c.close()));
  await inBatches(etcds, 10, (e) => e.stop());
  rmSync(dir, { recursive: true, force: true });
}
