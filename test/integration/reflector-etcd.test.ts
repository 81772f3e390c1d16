/**
 * The mesh reflector against real etcds: `weft operator` (a subprocess) of
 * cluster c1 mirrors cluster c2's etcd into its own; the remote etcd stops
 * and comes back; the operator restarts while remote keys are deleted; a
 * disconnect removes the cache. Then the same over mutual TLS with the PEMs
 * materialised from the RemoteConfig, and a remote TTL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestEtcd } from '../support/etcd.ts';
import { makeTestEtcdCerts, TEST_ETCD_SERVER_NAME } from '../support/etcdCerts.ts';
import { createEtcdKv } from '../../src/kvstore/etcd.ts';
import type { KvBackend } from '../../src/kvstore/backend.ts';
import { keys } from '../../src/kvstore/keys.ts';
import { errorMessage } from '../../src/errors.ts';
import { startReflector } from '../../src/operator/mesh/reflector.ts';
import type { RemoteConfig } from '../../src/model/remoteConfig.ts';
import { RemoteStatus } from '../../src/model/remoteStatus.ts';
import { clusterConfig, endpointState, nodeState } from '../../src/operator/mesh/testFixtures.ts';
import { createLogger } from '../../src/util/log.ts';
import { CLI_ENTRY, NODE_BIN } from '../../src/util/paths.ts';
import { isAlive, recordProcess, stopProcess, type ProcessRecord } from '../../src/util/proc.ts';
import { exec } from '../../src/util/exec.ts';
import type { TestEtcdCerts } from '../support/etcdCerts.ts';

const CACHE = keys.cachePrefix('c2');

interface OperatorProc {
  rec: ProcessRecord;
  log: () => string;
}

function startOperatorProcess(endpoint: string, stateDir: string, extra: string[] = []): OperatorProc {
  const child = spawn(NODE_BIN, ['--no-warnings=ExperimentalWarning', CLI_ENTRY, 'operator', '--cluster', 'c1', '--etcd', endpoint, '--state-dir', stateDir, ...extra], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (child.pid === undefined) throw new Error('cannot spawn the operator');
  let err = '';
  child.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')));
  return { rec: recordProcess(child.pid), log: () => err };
}

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000, log?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await probe()) return;
    } catch (err) {
      last = err;
    }
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}${last === undefined ? '' : `: ${errorMessage(last)}`}${log === undefined ? '' : `\n${log().slice(-3000)}`}`);
}

async function status(kv: KvBackend): Promise<RemoteStatus | undefined> {
  const e = await kv.get(keys.meshStatus('c2'));
  return e === undefined ? undefined : RemoteStatus.parse(JSON.parse(e.value));
}

async function cacheKeys(kv: KvBackend, under = ''): Promise<string[]> {
  return (await kv.list(`${CACHE}${under}`)).entries.map((e) => e.key.slice(CACHE.length + under.length));
}

async function seedRemote(kv: KvBackend): Promise<void> {
  await kv.put(keys.clusterConfig('c2'), JSON.stringify(clusterConfig('c2')));
  for (const n of ['n1', 'n2']) await kv.put(keys.node('c2', n), JSON.stringify(nodeState('c2', n)));
  for (const p of ['p1', 'p2', 'p3']) await kv.put(keys.endpoint('c2', 'default', p), JSON.stringify(endpointState(`10.2.1.${p.slice(1)}`)));
  await kv.put(keys.node('c3', 'x1'), JSON.stringify(nodeState('c3', 'x1'))); // another cluster's segment: not mirrored
  await kv.put(keys.synced('c2', 'state'), new Date().toISOString());
}

void test('weft operator mirrors a remote etcd: live changes, remote outage, operator restart resync, disconnect', { timeout: 180_000 }, async () => {
  const local = await startTestEtcd();
  const remote = await startTestEtcd();
  const stateDir = mkdtempSync(path.join(tmpdir(), 'weft-reflector-it-'));
  const lkv = createEtcdKv({ endpoints: [local.endpoint] });
  let rkv = createEtcdKv({ endpoints: [remote.endpoint] });
  let op: OperatorProc | undefined;
  try {
    await lkv.put(keys.clusterConfig('c1'), JSON.stringify(clusterConfig('c1', 1)));
    await seedRemote(rkv);
    const cfg: RemoteConfig = { name: 'c2', clusterId: 2, endpoints: [remote.endpoint], caPem: '' };
    await lkv.put(keys.meshRemote('c2'), JSON.stringify(cfg));
    op = startOperatorProcess(local.endpoint, stateDir);
    const log = op.log;

    await waitFor('c2 ready', async () => (await status(lkv))?.ready === true, 30_000, log);
    assert.deepEqual(await cacheKeys(lkv), [
      'cluster-config/c2',
      'state/endpoints/v1/c2/default/p1',
      'state/endpoints/v1/c2/default/p2',
      'state/endpoints/v1/c2/default/p3',
      'state/nodes/v1/c2/n1',
      'state/nodes/v1/c2/n2',
    ]);
    const st = await status(lkv);
    assert.deepEqual(st?.counts, { nodes: 2, endpoints: 3, identities: 0, services: 0 });
    assert.equal(st?.connected, true);
    assert.ok((await lkv.get(keys.synced('c1', 'state'))) !== undefined, 'the operator wrote its own sync marker');

    // live changes
    await rkv.put(keys.endpoint('c2', 'default', 'p4'), JSON.stringify(endpointState('10.2.1.4')));
    await rkv.delete(keys.endpoint('c2', 'default', 'p1'));
    await waitFor('live changes mirrored', async () => (await cacheKeys(lkv, 'state/endpoints/v1/c2/default/')).join() === 'p2,p3,p4', 10_000, log);

    // the remote etcd stops: the cache is kept and the status shows the failure
    await rkv.close();
    await remote.pause();
    await waitFor('failure in status', async () => {
      const s = await status(lkv);
      return s !== undefined && !s.connected && !s.ready && s.failures >= 1 && s.lastFailure !== '' && s.lastFailureAt !== '';
    }, 40_000, log);
    assert.equal((await cacheKeys(lkv)).length, 6, 'last-known cache kept');
    assert.equal((await status(lkv))?.counts.endpoints, 3);

    // it comes back: reconnect, then a delete propagates
    await remote.resume();
    rkv = createEtcdKv({ endpoints: [remote.endpoint] });
    await waitFor('reconnected', async () => (await status(lkv))?.ready === true, 40_000, log);
    await rkv.delete(keys.endpoint('c2', 'default', 'p2'));
    await waitFor('delete after reconnect', async () => (await cacheKeys(lkv, 'state/endpoints/v1/c2/default/')).join() === 'p3,p4', 10_000, log);

    // operator down while the remote changes: the restarted one keeps the cache and resyncs
    assert.equal(await stopProcess(op.rec, 5000), true);
    const n1Before = (await lkv.get(`${CACHE}state/nodes/v1/c2/n1`))?.modRevision;
    await rkv.delete(keys.endpoint('c2', 'default', 'p3'));
    await rkv.put(keys.endpoint('c2', 'default', 'p5'), JSON.stringify(endpointState('10.2.1.5')));
    assert.equal((await cacheKeys(lkv, 'state/endpoints/v1/c2/default/')).join(), 'p3,p4', 'cache kept while the operator is down');
    op = startOperatorProcess(local.endpoint, stateDir);
    const log2 = op.log;
    await waitFor('stale p3 gone, p5 mirrored', async () => (await cacheKeys(lkv, 'state/endpoints/v1/c2/default/')).join() === 'p4,p5', 30_000, log2);
    assert.equal((await lkv.get(`${CACHE}state/nodes/v1/c2/n1`))?.modRevision, n1Before, 'an unchanged key is not rewritten on resync');
    assert.equal(log2().includes('"msg":"sync marker written"'), true);

    // disconnect
    await lkv.delete(keys.meshRemote('c2'));
    await waitFor('cache and status removed', async () => (await cacheKeys(lkv)).length === 0 && (await status(lkv)) === undefined, 10_000, log2);
  } finally {
    if (op !== undefined && isAlive(op.rec)) await stopProcess(op.rec, 5000);
    await rkv.close();
    await lkv.close();
    await remote.stop();
    await local.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
});

/**
 * The RBAC `clustermesh enable` gives the `remote` user, here for the test
 * client's CN: read-only on prefix weft/state/, key weft/cluster-config/c2,
 * prefix weft/synced/c2/ — and nothing else.
 */
async function enableRemoteRbac(endpoint: string, certs: TestEtcdCerts): Promise<void> {
  const ctl = (...args: string[]): Promise<unknown> =>
    exec('etcdctl', ['--endpoints', endpoint, '--cacert', certs.caFile, '--cert', certs.clientCertFile, '--key', certs.clientKeyFile, '--insecure-skip-tls-verify', ...args], {
      env: { ...process.env, ETCDCTL_API: '3' },
      timeoutMs: 10_000,
    });
  await ctl('user', 'add', 'root', '--new-user-password', 'root-pw', '--interactive=false');
  await ctl('user', 'grant-role', 'root', 'root');
  await ctl('role', 'add', 'remote');
  await ctl('role', 'grant-permission', 'remote', 'read', '--prefix=true', keys.statePrefix());
  await ctl('role', 'grant-permission', 'remote', 'read', keys.clusterConfig('c2'));
  await ctl('role', 'grant-permission', 'remote', 'read', '--prefix=true', keys.syncedPrefix('c2'));
  await ctl('user', 'add', 'weft-client', '--no-password');
  await ctl('user', 'grant-role', 'weft-client', 'remote');
  await ctl('auth', 'enable');
}

void test("reflector over mutual TLS and remote RBAC with the remote's CA from the RemoteConfig and its own identity; remote TTL drops the cache", { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'weft-reflector-tls-'));
  const certs = await makeTestEtcdCerts(dir);
  const local = await startTestEtcd();
  const remote = await startTestEtcd({ tls: { caFile: certs.caFile, certFile: certs.serverCertFile, keyFile: certs.serverKeyFile } });
  const stateDir = path.join(dir, 'operator');
  const lkv = createEtcdKv({ endpoints: [local.endpoint] });
  const clientTls = { caFile: certs.caFile, certFile: certs.clientCertFile, keyFile: certs.clientKeyFile, serverName: TEST_ETCD_SERVER_NAME };
  let rkv = createEtcdKv({ endpoints: [remote.endpoint], tls: clientTls });
  const logs: string[] = [];
  const usedTls: string[] = [];
  const reflector = startReflector({
    local: lkv,
    cluster: 'c1',
    stateDir,
    identity: { certFile: certs.clientCertFile, keyFile: certs.clientKeyFile },
    logger: createLogger({}, (l) => logs.push(l)),
    remoteTtlMs: 2000,
    backoff: { minMs: 200, maxMs: 1000 },
    // the test server certificate names etcd.weft.test only, so dial with that name
    connectRemote: (cfg, tls) => {
      if (tls === undefined) throw new Error('expected TLS files for an https remote');
      usedTls.push(tls.certFile);
      return createEtcdKv({ endpoints: cfg.endpoints, tls: { ...tls, serverName: TEST_ETCD_SERVER_NAME }, dialTimeoutMs: 2000 });
    },
  });
  try {
    await seedRemote(rkv);
    await rkv.put(keys.resource('pods', 'default', 'secret'), '{}');
    await enableRemoteRbac(remote.endpoint, certs);
    await assert.rejects(rkv.list('weft/resources/'), /permission denied/, 'RBAC is on: the remote user reads only what is exported');
    // the cluster config is granted as one key: a prefix list (or watch) of it is refused, so the reflector polls it with get
    await assert.rejects(rkv.list(keys.clusterConfig('c2')), /permission denied/);
    assert.ok((await rkv.get(keys.clusterConfig('c2'))) !== undefined);
    const cfg: RemoteConfig = {
      name: 'c2',
      clusterId: 2,
      endpoints: [remote.endpoint],
      caPem: readFileSync(certs.caFile, 'utf8'),
    };
    await lkv.put(keys.meshRemote('c2'), JSON.stringify(cfg));
    await waitFor('c2 ready over TLS', async () => (await status(lkv))?.ready === true, 30_000, () => logs.join(''));
    assert.equal((await cacheKeys(lkv)).length, 6);
    const pemDir = path.join(stateDir, 'remotes', 'c2');
    assert.equal(usedTls[0], certs.clientCertFile, "the operator's own remote identity");
    assert.equal(statSync(path.join(pemDir, 'ca.crt')).mode & 0o777, 0o600);
    assert.equal(readFileSync(path.join(pemDir, 'ca.crt'), 'utf8'), cfg.caPem);

    await rkv.close();
    await remote.pause();
    const t0 = Date.now();
    await waitFor('cache dropped after the TTL', async () => (await cacheKeys(lkv)).length === 0, 30_000, () => logs.join(''));
    assert.ok(Date.now() - t0 >= 1500, `dropped after ${Date.now() - t0} ms`);
    assert.equal((await status(lkv))?.connected, false);

    await remote.resume();
    rkv = createEtcdKv({ endpoints: [remote.endpoint], tls: clientTls });
    await waitFor('refilled after reconnect', async () => (await status(lkv))?.ready === true && (await cacheKeys(lkv)).length === 6, 40_000, () => logs.join(''));

    await lkv.delete(keys.meshRemote('c2'));
    await waitFor('the remote CA file removed', () => Promise.resolve(!existsSync(pemDir)), 10_000);
  } finally {
    await reflector.stop();
    await rkv.close();
    await lkv.close();
    await remote.stop();
    await local.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
