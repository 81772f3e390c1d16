import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { keys } from '../../kvstore/keys.ts';
import { WeftError, ErrorCode } from '../../errors.ts';
import { createLogger } from '../../util/log.ts';
import { startReflector, type Reflector, type ReflectorOptions } from './reflector.ts';
import { FakeRemote, fakeRemoteFactory } from './testRemote.ts';
import type { RemoteKvFactory } from './remoteConnection.ts';
import { CountingKv, endpointState, keysUnder, nodeState, readStatus, seedCluster, until } from './testFixtures.ts';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const CACHE = keys.cachePrefix('c2');

interface Harness {
  local: CountingKv;
  remote: FakeRemote;
  stateDir: string;
  logs: string[];
  start(extra?: Partial<ReflectorOptions>): Reflector;
  cleanup(): Promise<void>;
}

function harness(): Harness {
  const local = new CountingKv();
  const remote = new FakeRemote('c2');
  const stateDir = mkdtempSync(path.join(tmpdir(), 'weft-reflector-'));
  const logs: string[] = [];
  const running: Reflector[] = [];
  return {
    local,
    remote,
    stateDir,
    logs,
    start: (extra = {}) => {
      const r = startReflector({
        local,
        cluster: 'c1',
        stateDir,
        identity: { certFile: path.join(stateDir, 'own-remote.crt'), keyFile: path.join(stateDir, 'own-remote.key') },
        logger: createLogger({}, (l) => logs.push(l)),
        connectRemote: fakeRemoteFactory(remote),
        backoff: { minMs: 5, maxMs: 40 },
        statusIntervalMs: 2,
        configPollMs: 20,
        ...extra,
      });
      running.push(r);
      return r;
    },
    cleanup: async () => {
      for (const r of running) await r.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

async function connect(h: Harness, cfg = h.remote.config()): Promise<void> {
  await h.local.put(keys.meshRemote(cfg.name), JSON.stringify(cfg));
}

async function ready(h: Harness, remote = 'c2'): Promise<void> {
  await until(`${remote} ready`, async () => (await readStatus(h.local, remote))?.ready === true);
}

test('initial mirror: only the remote\'s own segment and cluster config, invalid values skipped, status ready with counts', async () => {
  const h = harness();
  try {
    await seedCluster(h.remote.kv, 'c2', { nodes: 2, endpoints: 3 });
    await h.remote.kv.put('weft/state/identities/v1/c2/131073', JSON.stringify({ labels: { app: 'echo' } }));
    await h.remote.kv.put('weft/state/services/v1/c2/default/echo', JSON.stringify({ clusterIP: '10.102.0.10' }));
    await h.remote.kv.put('weft/state/widgets/v9/c2/w1', JSON.stringify({ any: 'object' }));
    await h.remote.kv.put(keys.node('c3', 'x1'), JSON.stringify(nodeState('c3', 'x1'))); // another cluster's segment
    await h.remote.kv.put(keys.clusterConfig('c3'), '{}');
    await h.remote.kv.put('weft/state/nodes/v1/c2', '{}'); // too short to be an entry
    await h.remote.kv.put(keys.endpoint('c2', 'default', 'bad'), JSON.stringify({ ip: 1 })); // invalid endpoint
    await h.remote.kv.put(keys.node('c2', 'liar'), JSON.stringify(nodeState('c9', 'liar'))); // names another cluster
    await h.remote.kv.put('weft/state/widgets/v9/c2/w2', '[1,2]'); // not an object
    await h.remote.kv.put('weft/resources/pods/default/p', '{}'); // never exported
    await connect(h);
    h.start();
    await ready(h);
    assert.deepEqual(await keysUnder(h.local, CACHE), [
      'cluster-config/c2',
      'state/endpoints/v1/c2/default/p1',
      'state/endpoints/v1/c2/default/p2',
      'state/endpoints/v1/c2/default/p3',
      'state/identities/v1/c2/131073',
      'state/nodes/v1/c2/n1',
      'state/nodes/v1/c2/n2',
      'state/services/v1/c2/default/echo',
      'state/widgets/v9/c2/w1',
    ]);
    assert.equal((await h.local.get(`${CACHE}state/nodes/v1/c2/n1`))?.value, (await h.remote.kv.get(keys.node('c2', 'n1')))?.value);
    const st = await readStatus(h.local, 'c2');
    assert.ok(st !== undefined);
    assert.equal(st.connected, true);
    assert.deepEqual(st.counts, { nodes: 2, endpoints: 3, identities: 1, services: 1 });
    assert.deepEqual(st.synced, { nodes: true, endpoints: true, identities: true, services: true });
    assert.equal(st.failures, 0);
    assert.equal(st.lastFailure, '');
    assert.notEqual(st.connectedSince, '');
    const warned = h.logs.filter((l) => l.includes('skipping invalid value from remote cluster'));
    assert.equal(warned.length, 3, warned.join('\n'));
    assert.ok(warned.some((l) => l.includes('names cluster \\"c9\\"')));
    assert.equal(existsSync(path.join(h.stateDir, 'remotes', 'c2')), false, 'no PEM files for plain http');
    assert.ok(h.local.maxOps <= 128);
  } finally {
    await h.cleanup();
  }
});

test('live updates, value changes and deletes propagate; an invalid update removes the cached entry', async () => {
  const h = harness();
  try {
    await seedCluster(h.remote.kv, 'c2');
    await connect(h);
    h.start();
    await ready(h);
    const ep = (pod: string): string => `${CACHE}state/endpoints/v1/c2/default/${pod}`;
    await h.remote.kv.put(keys.endpoint('c2', 'default', 'p9'), JSON.stringify(endpointState('10.2.1.9')));
    await until('p9 mirrored', async () => (await h.local.get(ep('p9'))) !== undefined);
    await h.remote.kv.put(keys.endpoint('c2', 'default', 'p9'), JSON.stringify({ ...endpointState('10.2.1.9'), ready: false }));
    await until('p9 updated', async () => (await h.local.get(ep('p9')))?.value.includes('"ready":false') === true);
    await h.remote.kv.delete(keys.endpoint('c2', 'default', 'p1'));
    await until('p1 deleted', async () => (await h.local.get(ep('p1'))) === undefined);
    await h.remote.kv.put(keys.endpoint('c2', 'default', 'p2'), 'not json');
    await until('invalid p2 removed', async () => (await h.local.get(ep('p2'))) === undefined);
    await until('counts follow', async () => (await readStatus(h.local, 'c2'))?.counts.endpoints === 2);
    // the remote's cluster config is polled (the remote user may read that key but not watch a prefix)
    await h.remote.kv.put(keys.clusterConfig('c2'), JSON.stringify({ ...(JSON.parse((await h.remote.kv.get(keys.clusterConfig('c2')))?.value ?? '{}') as object), capabilities: ['x'] }));
    await until('config change mirrored', async () => (await h.local.get(`${CACHE}cluster-config/c2`))?.value.includes('"x"') === true);
  } finally {
    await h.cleanup();
  }
});

test('disconnect while deletions happen: cache kept while down, failures counted, stale keys deleted after the relist', async () => {
  const h = harness();
  try {
    await seedCluster(h.remote.kv, 'c2', { endpoints: 3 });
    await connect(h);
    h.start();
    await ready(h);
    h.remote.setDown(true);
    await h.remote.kv.delete(keys.endpoint('c2', 'default', 'p1'));
    await h.remote.kv.put(keys.endpoint('c2', 'default', 'p4'), JSON.stringify(endpointState('10.2.1.4')));
    await until('failure in status', async () => {
      const st = await readStatus(h.local, 'c2');
      return st !== undefined && !st.connected && st.failures >= 1 && st.lastFailure.includes('down') && st.lastFailureAt !== '';
    });
    const st = await readStatus(h.local, 'c2');
    assert.equal(st?.ready, false);
    assert.equal(st?.counts.endpoints, 3, 'last-known cache kept while unreachable');
    assert.ok((await h.local.get(`${CACHE}state/endpoints/v1/c2/default/p1`)) !== undefined);
    h.remote.setDown(false);
    await until('resynced', async () => (await keysUnder(h.local, `${CACHE}state/endpoints/`)).join() === 'v1/c2/default/p2,v1/c2/default/p3,v1/c2/default/p4');
    await ready(h);
    assert.ok(h.remote.connects >= 2);
  } finally {
    await h.cleanup();
  }
});

test('breakWatches with a deletion in between: stale keys are deleted only once the remote sync marker exists', async () => {
  const h = harness();
  try {
    await seedCluster(h.remote.kv, 'c2', { endpoints: 3, marker: false });
    await connect(h);
    h.start();
    await until('listed', async () => (await readStatus(h.local, 'c2'))?.synced.endpoints === true);
    assert.equal((await readStatus(h.local, 'c2'))?.ready, false, 'not ready without the marker');
    const connects = h.remote.connects;
    h.remote.kv.breakWatches();
    await h.remote.kv.delete(keys.endpoint('c2', 'default', 'p3'));
    await until('relisted', () => h.remote.connects > connects);
    await until('synced again', async () => (await readStatus(h.local, 'c2'))?.synced.endpoints === true);
    await new Promise((r) => setTimeout(r, 50));
    assert.ok((await h.local.get(`${CACHE}state/endpoints/v1/c2/default/p3`)) !== undefined, 'kept: no marker yet');
    await h.remote.kv.put(keys.synced('c2', 'state'), new Date().toISOString());
    await until('stale p3 deleted', async () => (await h.local.get(`${CACHE}state/endpoints/v1/c2/default/p3`)) === undefined);
    await ready(h);
    assert.equal((await readStatus(h.local, 'c2'))?.counts.endpoints, 2);
  } finally {
    await h.cleanup();
  }
});

test('a restarted reflector keeps the cache (also while the remote is down), then resyncs without rewriting unchanged keys', async () => {
  const h = harness();
  try {
    await seedCluster(h.remote.kv, 'c2', { endpoints: 3 });
    await connect(h);
    const first = h.start();
    await ready(h);
    await first.stop();
    const before = await h.local.list(CACHE);
    h.remote.setDown(true);
    await h.remote.kv.delete(keys.endpoint('c2', 'default', 'p1'));
    await h.remote.kv.put(keys.endpoint('c2', 'default', 'p2'), JSON.stringify({ ...endpointState('10.2.1.2'), ready: false }));
    h.start();
    await until('restart sees the remote down', async () => ((await readStatus(h.local, 'c2'))?.failures ?? 0) >= 1);
    assert.deepEqual((await h.local.list(CACHE)).entries, before.entries, 'cache untouched while unreachable');
    const txnsBefore = h.local.txns;
    h.remote.setDown(false);
    await until('p1 gone', async () => (await h.local.get(`${CACHE}state/endpoints/v1/c2/default/p1`)) === undefined);
    await until('p2 changed', async () => (await h.local.get(`${CACHE}state/endpoints/v1/c2/default/p2`))?.value.includes('"ready":false') === true);
    const p3 = (k: { entries: readonly { key: string; modRevision: number }[] }) => k.entries.find((e) => e.key.endsWith('/p3'))?.modRevision;
    assert.equal(p3(await h.local.list(CACHE)), p3(before), 'unchanged key not rewritten');
    assert.ok(h.local.txns - txnsBefore <= 2, `resync used ${h.local.txns - txnsBefore} txns`);
  } finally {
    await h.cleanup();
  }
});

test('disconnect removes the cache, the status and the remote CA file (written 0600)', async () => {
  const h = harness();
  try {
    await seedCluster(h.remote.kv, 'c2');
    await connect(h, h.remote.config({ endpoints: ['https://127.0.0.1:2379'], caPem: PEM }));
    h.start();
    await ready(h);
    const dir = path.join(h.stateDir, 'remotes', 'c2');
    assert.deepEqual(readdirSync(dir), ['ca.crt'], 'only the remote CA: the client identity is the operator own');
    assert.equal(statSync(path.join(dir, 'ca.crt')).mode & 0o777, 0o600);
    await h.local.delete(keys.meshRemote('c2'));
    await until('cache removed', async () => (await h.local.list(CACHE)).entries.length === 0 && (await readStatus(h.local, 'c2')) === undefined);
    await until('pems removed', () => !existsSync(dir));
    // the remote changes later: nothing comes back
    await h.remote.kv.put(keys.endpoint('c2', 'default', 'p7'), JSON.stringify(endpointState('10.2.1.7')));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal((await h.local.list(CACHE)).entries.length, 0);
    // and connecting again mirrors again
    await connect(h);
    await ready(h);
    assert.equal((await readStatus(h.local, 'c2'))?.counts.endpoints, 4);
  } finally {
    await h.cleanup();
  }
});

test('remote TTL: the cache is dropped after that long unreachable and refilled on reconnect', async () => {
  const h = harness();
  try {
    await seedCluster(h.remote.kv, 'c2');
    await connect(h);
    h.start({ remoteTtlMs: 150 });
    await ready(h);
    const t0 = Date.now();
    h.remote.setDown(true);
    await until('cache dropped', async () => (await h.local.list(CACHE)).entries.length === 0);
    assert.ok(Date.now() - t0 >= 140, `dropped after ${Date.now() - t0} ms`);
    await until('status counts 0', async () => (await readStatus(h.local, 'c2'))?.counts.nodes === 0);
    h.remote.setDown(false);
    await ready(h);
    await until('refilled', async () => (await readStatus(h.local, 'c2'))?.counts.endpoints === 3);
  } finally {
    await h.cleanup();
  }
});

test('without a TTL the cache survives a long outage', async () => {
  const h = harness();
  try {
    await seedCluster(h.remote.kv, 'c2');
    await connect(h);
    h.start();
    await ready(h);
    h.remote.setDown(true);
    await until('several failures', async () => ((await readStatus(h.local, 'c2'))?.failures ?? 0) >= 3);
    assert.equal((await h.local.list(CACHE)).entries.length, 6);
  } finally {
    await h.cleanup();
  }
});

test('a changed record reconnects and keeps the cache; an invalid record keeps the connection; its own name is refused', async () => {
  const h = harness();
  try {
    await seedCluster(h.remote.kv, 'c2');
    await connect(h);
    h.start();
    await ready(h);
    const before = await h.local.list(CACHE);
    const connects = h.remote.connects;
    await connect(h, h.remote.config({ endpoints: ['http://127.0.0.2:2379'] }));
    await until('reconnected', () => h.remote.connects === connects + 1);
    await ready(h);
    assert.deepEqual((await h.local.list(CACHE)).entries, before.entries, 'no cache churn on reconnect');
    await h.local.put(keys.meshRemote('c2'), '{"name":"c2"}');
    await until('invalid logged', () => h.logs.some((l) => l.includes('invalid remote cluster record')));
    await h.remote.kv.put(keys.endpoint('c2', 'default', 'p8'), JSON.stringify(endpointState('10.2.1.8')));
    await until('still mirroring', async () => (await h.local.get(`${CACHE}state/endpoints/v1/c2/default/p8`)) !== undefined);
    assert.equal(h.remote.connects, connects + 1);
    await h.local.put(keys.meshRemote('c1'), JSON.stringify({ ...h.remote.config(), name: 'c1' }));
    await until('self refused', () => h.logs.some((l) => l.includes('names this cluster itself')));
  } finally {
    await h.cleanup();
  }
});

test('leftovers of a remote disconnected while the operator was down are removed at start', async () => {
  const h = harness();
  try {
    await h.local.put(`${keys.cachePrefix('c9')}state/nodes/v1/c9/n1`, '{}');
    await h.local.put(keys.meshStatus('c9'), '{}');
    await seedCluster(h.remote.kv, 'c2');
    await connect(h);
    h.start();
    await ready(h);
    await until('c9 leftovers gone', async () => (await h.local.list(keys.cachePrefix('c9'))).entries.length === 0 && (await h.local.get(keys.meshStatus('c9'))) === undefined);
    assert.equal((await readStatus(h.local, 'c2'))?.counts.nodes, 2);
  } finally {
    await h.cleanup();
  }
});

test('local write failures are retried: nothing is lost', async () => {
  const h = harness();
  try {
    await seedCluster(h.remote.kv, 'c2', { endpoints: 300 });
    h.local.failTxns = 3;
    await connect(h);
    h.start();
    await ready(h);
    assert.equal((await readStatus(h.local, 'c2'))?.counts.endpoints, 300);
    assert.ok(h.logs.some((l) => l.includes('writing the remote cache to the local etcd failed')));
  } finally {
    await h.cleanup();
  }
});

test('scale: 10k remote endpoints mirrored in batches of at most 128 ops', async () => {
  const h = harness();
  try {
    const N = 10_000;
    await seedCluster(h.remote.kv, 'c2', { endpoints: 0 });
    const ops = [];
    for (let i = 0; i < N; i++) ops.push({ op: 'put' as const, key: keys.endpoint('c2', 'default', `p${i}`), value: JSON.stringify(endpointState(`10.2.${i >> 8}.${i & 255}`)) });
    for (let i = 0; i < N; i += 1000) await h.remote.kv.txn([], ops.slice(i, i + 1000));
    const t0 = Date.now();
    await connect(h);
    h.start();
    await until('10k mirrored', async () => (await readStatus(h.local, 'c2'))?.counts.endpoints === N, 30_000);
    const ms = Date.now() - t0;
    assert.ok(ms < 10_000, `10k endpoints took ${ms} ms`);
    assert.equal(h.local.maxOps, 128);
    assert.ok(h.local.txns <= Math.ceil((N + 3) / 128) + 20, `${h.local.txns} txns`);
  } finally {
    await h.cleanup();
  }
});

test('a record deleted and written again at once ends connected with a full cache', async () => {
  const h = harness();
  try {
    await seedCluster(h.remote.kv, 'c2');
    await connect(h);
    h.start();
    await ready(h);
    await h.local.delete(keys.meshRemote('c2'));
    await connect(h, h.remote.config({ clusterId: 2, endpoints: ['http://127.0.0.3:2379'] }));
    await until('connected again with everything cached', async () => {
      const st = await readStatus(h.local, 'c2');
      return st?.ready === true && st.counts.endpoints === 3 && (await h.local.list(CACHE)).entries.length === 6;
    });
    // and deleted again right after being written: nothing stays behind
    await connect(h);
    await h.local.delete(keys.meshRemote('c2'));
    await until('gone', async () => (await h.local.list(CACHE)).entries.length === 0 && (await readStatus(h.local, 'c2')) === undefined);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await h.local.list(CACHE)).entries.length, 0);
  } finally {
    await h.cleanup();
  }
});

/** The remote, reached after its proxy refused the first `refusals` connections with `message`. */
function refusedFirst(remote: FakeRemote, refusals: number, message: string): RemoteKvFactory {
  const real = fakeRemoteFactory(remote);
  let left = refusals;
  return (cfg, tls) => {
    if (left-- > 0) throw new WeftError(ErrorCode.PermissionDenied, message);
    return real(cfg, tls);
  };
}

test("a remote proxy that has no record of this cluster yet is waited for: no failure counted, the reason shown, then connected", async () => {
  const h = harness();
  try {
    await seedCluster(h.remote.kv, 'c2');
    await connect(h);
    h.start({ connectRemote: refusedFirst(h.remote, 2, 'etcd refused the call: 7 PERMISSION_DENIED: weft mesh proxy: cluster c1 is not connected to c2') });
    await ready(h);
    const st = await readStatus(h.local, 'c2');
    assert.equal(st?.failures, 0);
    assert.ok(h.logs.some((l) => l.includes('has no record of this cluster yet')), h.logs.join('\n'));
  } finally {
    await h.cleanup();
  }
});

test('any other refusal by the remote counts as a failure', async () => {
  const h = harness();
  try {
    await seedCluster(h.remote.kv, 'c2');
    await connect(h);
    h.start({ connectRemote: refusedFirst(h.remote, 1, 'weft mesh proxy: certificate CN "remote-c1" is not signed by the CA recorded for cluster c1') });
    await ready(h);
    assert.equal((await readStatus(h.local, 'c2'))?.failures, 1);
  } finally {
    await h.cleanup();
  }
});
