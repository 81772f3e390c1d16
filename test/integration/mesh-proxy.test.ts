/**
 * The security boundaries of a cluster's etcd and of its mesh proxy, tried
 * with the real etcdctl for every identity against its own cluster and a
 * foreign one: a real etcd with the cluster CA and the RBAC plan, and the
 * real `weft mesh-proxy` process in front of it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { etcdAuthPlan } from '../../src/clustermesh/etcdAuth.ts';
import { reconcileEtcdAuth } from '../../src/clustermesh/etcdAuthApply.ts';
import { createEtcdAuthApi } from '../../src/clustermesh/etcdAuthClient.ts';
import { createEtcdKv } from '../../src/kvstore/etcd.ts';
import type { KvBackend } from '../../src/kvstore/backend.ts';
import { keys } from '../../src/kvstore/keys.ts';
import { createCa, type CertificateAuthority } from '../../src/pki/ca.ts';
import { ensureClusterCerts } from '../../src/pki/clusterCerts.ts';
import { caFiles, clusterCaFiles, pemPair, writeCa, writePemPair } from '../../src/pki/files.ts';
import { issueCertificate } from '../../src/pki/issue.ts';
import { recordProcess, stopProcess, type ProcessRecord } from '../../src/util/proc.ts';
import { weftCommand } from '../../src/util/paths.ts';
import { silenceTlsIpServerNameWarning } from '../../src/util/tlsWarning.ts';
import { freePort, startTestEtcd, type TestEtcd } from '../support/etcd.ts';
import { etcdctl, type EtcdctlIdentity } from '../support/etcdctl.ts';
import { waitFor } from '../support/weft.ts';

let dir = '';
let etcd: TestEtcd | undefined;
let proxy: ProcessRecord | undefined;
let proxyLog = '';
let admin: KvBackend | undefined;
let proxyUrl = '';
let otherMesh: CertificateAuthority | undefined;
const pki = (cluster: string): string => path.join(dir, cluster);

/** An identity of `cluster` (its file `name` in its PKI) pointed at `endpoint`, verifying the server with `serverCa`. */
function id(cluster: string, name: string, endpoint: string, serverCa: string): EtcdctlIdentity {
  const f = pemPair(pki(cluster), name);
  return { endpoint, cacert: serverCa, cert: f.certFile, key: f.keyFile };
}

const etcdOf = (cluster: string, name: string): EtcdctlIdentity => id(cluster, name, etcd?.endpoint ?? '', clusterCaFiles(pki('c1')).certFile);
const viaProxy = (cluster: string, name = 'remote'): EtcdctlIdentity => id(cluster, name, proxyUrl, caFiles(pki('c1')).certFile);

const DENIED = /permission denied|PermissionDenied/i;
const NO_TLS = /bad certificate|unknown authority|certificate signed by unknown|tls|context deadline exceeded|DeadlineExceeded/i;

async function pkiFor(cluster: string, mesh: CertificateAuthority): Promise<void> {
  const clusterCa = await createCa({ commonName: `weft-cluster-ca-${cluster}` });
  writeCa(pki(cluster), mesh);
  writeCa(pki(cluster), clusterCa, 'cluster-ca');
  await ensureClusterCerts(pki(cluster), { mesh, cluster: clusterCa }, cluster, '127.0.0.1');
}

before(async () => {
  silenceTlsIpServerNameWarning();
  dir = mkdtempSync(path.join(tmpdir(), 'weft-it-proxy-'));
  const mesh = await createCa();
  await pkiFor('c1', mesh);
  await pkiFor('c2', mesh); // connected to c1, same mesh CA
  await pkiFor('c3', mesh); // same mesh CA, never connected
  otherMesh = await createCa({ commonName: 'another-mesh-ca' });
  await pkiFor('c4', otherMesh); // a mesh CA of its own (connect --allow-mismatching-ca)
  const c1 = pki('c1');
  etcd = await startTestEtcd({ tls: { caFile: clusterCaFiles(c1).certFile, ...pemPair(c1, 'etcd-server') } });
  const adminTls = { caFile: clusterCaFiles(c1).certFile, ...pemPair(c1, 'admin') };
  const api = createEtcdAuthApi({ endpoints: [etcd.endpoint], tls: adminTls });
  try {
    await reconcileEtcdAuth(api, etcdAuthPlan('c1'));
    await api.enableAuth();
  } finally {
    await api.close();
  }
  admin = createEtcdKv({ endpoints: [etcd.endpoint], tls: adminTls });
  await admin.put(keys.clusterConfig('c1'), '{"name":"c1"}');
  await admin.put(keys.node('c1', 'n1'), '{"name":"n1"}');
  await admin.put(keys.resource('ciliumnetworkpolicies', 'default', 'protect'), '{}');
  await admin.put(keys.meshRemote('c2'), JSON.stringify({ name: 'c2', clusterId: 2, endpoints: ['https://127.0.0.1:1'], caPem: mesh.certPem }));

  const port = await freePort();
  proxyUrl = `https://127.0.0.1:${port}`;
  const [bin, ...pre] = weftCommand();
  const child = spawn(
    bin ?? process.execPath,
    [
      '--no-warnings=ExperimentalWarning',
      ...pre,
      'mesh-proxy',
      '--cluster', 'c1',
      '--listen', `127.0.0.1:${port}`,
      '--etcd', etcd.endpoint,
      '--etcd-ca', clusterCaFiles(c1).certFile,
      '--etcd-cert', pemPair(c1, 'mesh-proxy').certFile,
      '--etcd-key', pemPair(c1, 'mesh-proxy').keyFile,
      '--tls-ca', caFiles(c1).certFile,
      '--tls-cert', pemPair(c1, 'mesh-proxy-server').certFile,
      '--tls-key', pemPair(c1, 'mesh-proxy-server').keyFile,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.stderr.on('data', (b: Buffer) => {
    proxyLog = (proxyLog + b.toString()).slice(-8000);
  });
  if (child.pid === undefined) throw new Error('cannot start weft mesh-proxy');
  proxy = recordProcess(child.pid);
  await waitFor('mesh proxy answers c2', async () => ((await etcdctl(viaProxy('c2'), ['get', keys.node('c1', 'n1')])).code === 0 ? true : undefined), 30_000);
});

after(async () => {
  if (proxy !== undefined) await stopProcess(proxy);
  await admin?.close();
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

void test('a connected remote reads the exported state through the proxy, and can change nothing', async () => {
  const c2 = viaProxy('c2');
  const got = await etcdctl(c2, ['get', '--prefix', 'weft/state/']);
  assert.equal(got.code, 0, got.out);
  assert.match(got.out, /weft\/state\/nodes\/v1\/c1\/n1/);
  assert.match((await etcdctl(c2, ['get', keys.clusterConfig('c1')])).out, /"name":"c1"/);
  assert.equal((await etcdctl(c2, ['endpoint', 'status'])).code, 0, 'Status is allowed (health)');
  // Not exported: etcd's RBAC refuses the proxy's user.
  const hidden = await etcdctl(c2, ['get', '--prefix', 'weft/resources/']);
  assert.notEqual(hidden.code, 0);
  assert.match(hidden.out, DENIED);
  // Writes, compaction, leases, auth: the proxy refuses them by name.
  for (const [args, method] of [
    [['put', keys.node('c1', 'evil'), 'x'], 'KV.Put'],
    [['del', '--prefix', 'weft/'], 'KV.DeleteRange'],
    [['compaction', '1'], 'KV.Compact'],
    [['lease', 'grant', '60'], 'Lease.LeaseGrant'],
    [['lease', 'list'], 'Lease.LeaseLeases'],
    [['user', 'list'], 'Auth.UserList'],
    [['auth', 'disable'], 'Auth.AuthDisable'],
    [['defrag'], 'Maintenance.Defragment'],
    [['member', 'list'], 'Cluster.MemberList'],
  ] as const) {
    const r = await etcdctl(c2, args);
    assert.notEqual(r.code, 0, `${args.join(' ')}: ${r.out}`);
    assert.match(r.out, new RegExp(`remote clusters are read-only; ${method.replace('.', '\\.')} is refused`), `${args.join(' ')}: ${r.out}`);
  }
  assert.equal((await admin?.get(keys.node('c1', 'evil'))) === undefined, true);
  assert.ok((await admin?.get(keys.node('c1', 'n1'))) !== undefined, 'nothing deleted');
});

void test('the proxy admits no one else: an unconnected cluster, this cluster itself, local identities', async () => {
  for (const [who, re] of [
    [viaProxy('c3'), /cluster c3 is not connected to c1/],
    [viaProxy('c1'), /own remote identity/],
  ] as const) {
    const r = await etcdctl(who, ['get', keys.node('c1', 'n1')]);
    assert.notEqual(r.code, 0);
    assert.match(r.out, re);
  }
  // c2's node certificate comes from c2's cluster CA, which the proxy does not trust: no TLS session at all.
  const node2 = await etcdctl(viaProxy('c2', 'node'), ['get', keys.node('c1', 'n1')], { quick: true });
  assert.notEqual(node2.code, 0);
  assert.match(node2.out, NO_TLS);
});

void test("another cluster's certificates have no rights on this etcd: no TLS session, so no compaction or lease either", async () => {
  const tries: [string, string, string[]][] = [
    ...['admin', 'operator', 'node', 'mesh-proxy', 'remote'].map((name): [string, string, string[]] => ['c2', name, ['get', keys.node('c1', 'n1')]]),
    ['c3', 'admin', ['get', keys.node('c1', 'n1')]],
    ['c2', 'admin', ['compaction', '1']],
    ['c2', 'node', ['lease', 'grant', '60']],
    ['c2', 'admin', ['del', '--prefix', 'weft/']],
    // The remote identity of this very cluster is a mesh-CA certificate: etcd does not take it either.
    ['c1', 'remote', ['compaction', '1']],
  ];
  for (const [cluster, name, args] of tries) {
    const r = await etcdctl(etcdOf(cluster, name), args, { quick: true });
    assert.notEqual(r.code, 0, `${cluster}/${name} ${args.join(' ')}: ${r.out}`);
    assert.match(r.out, NO_TLS, `${cluster}/${name} ${args.join(' ')}`);
  }
  assert.ok((await admin?.get(keys.node('c1', 'n1'))) !== undefined, 'nothing deleted');
});

void test('inside the cluster: each identity has what the access table gives it, and nothing more', async () => {
  const ok = async (who: EtcdctlIdentity, args: string[]): Promise<void> => {
    const r = await etcdctl(who, args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.out}`);
  };
  const denied = async (who: EtcdctlIdentity, args: string[]): Promise<void> => {
    const r = await etcdctl(who, args);
    assert.notEqual(r.code, 0, `${args.join(' ')} should be refused`);
    assert.match(r.out, DENIED, args.join(' '));
  };
  const node = etcdOf('c1', 'node');
  await ok(node, ['get', '--prefix', 'weft/state/']);
  await ok(node, ['get', '--prefix', 'weft/resources/']);
  await ok(node, ['put', keys.node('c1', 'n2'), '{}']);
  await ok(node, ['put', keys.endpoint('c1', 'default', 'p'), '{}']);
  await ok(node, ['put', keys.podStatus('default', 'p'), '{}']);
  await ok(node, ['put', keys.agentMeshStatus('n1'), '{}']);
  await denied(node, ['get', '--prefix', keys.meshRemotesPrefix()]);
  await denied(node, ['get', keys.meshRemote('c2')]);
  await denied(node, ['put', keys.resource('ciliumnetworkpolicies', 'default', 'protect'), '{}']);
  await denied(node, ['del', keys.resource('ciliumnetworkpolicies', 'default', 'protect')]);
  await denied(node, ['put', keys.clusterConfig('c1'), '{}']);
  await denied(node, ['put', keys.meshRemote('c9'), '{}']);
  await denied(node, ['put', keys.cacheOf('c2', keys.node('c2', 'n1')), '{}']);
  await denied(node, ['put', keys.service('c1', 'default', 'echo'), '{}']);
  await denied(node, ['put', keys.node('c2', 'n1'), '{}']);
  await denied(node, ['del', '--prefix', 'weft/']);

  const operator = etcdOf('c1', 'operator');
  await ok(operator, ['get', keys.meshRemote('c2')]);
  await ok(operator, ['put', keys.service('c1', 'default', 'echo'), '{}']);
  await ok(operator, ['put', keys.cacheOf('c2', keys.node('c2', 'n1')), '{}']);
  await denied(operator, ['put', keys.clusterConfig('c1'), '{}']);
  await denied(operator, ['put', keys.meshRemote('c9'), '{}']);
  await denied(operator, ['del', '--prefix', 'weft/']);

  const meshProxy = etcdOf('c1', 'mesh-proxy');
  await ok(meshProxy, ['get', '--prefix', 'weft/state/']);
  await denied(meshProxy, ['put', keys.node('c1', 'n1'), '{}']);
  await denied(meshProxy, ['get', '--prefix', 'weft/resources/']);

  await ok(etcdOf('c1', 'admin'), ['get', '--prefix', 'weft/']);
});

void test('a cluster with another mesh CA is admitted once its record names that CA (the TLS layer is rebound), and others keep reading', async () => {
  const c4 = { ...viaProxy('c4') };
  assert.notEqual((await etcdctl(c4, ['get', keys.node('c1', 'n1')], { quick: true })).code, 0, 'not connected yet: no TLS session');
  await admin?.put(keys.meshRemote('c4'), JSON.stringify({ name: 'c4', clusterId: 4, endpoints: ['https://127.0.0.1:1'], caPem: otherMesh?.certPem }));
  await waitFor('c4 admitted', async () => ((await etcdctl(c4, ['get', keys.node('c1', 'n1')], { quick: true })).code === 0 ? true : undefined), 15_000);
  assert.equal((await etcdctl(viaProxy('c2'), ['get', keys.node('c1', 'n1')])).code, 0, 'c2 still reads after the rebind');
  // c4's CA cannot speak for c2: a remote-c2 certificate it signs is refused.
  if (otherMesh === undefined) throw new Error('no second mesh CA');
  const forged = writePemPair(pki('c4'), 'forged-c2', await issueCertificate(otherMesh, { commonName: 'remote-c2', usages: ['clientAuth'] }));
  const r = await etcdctl({ ...c4, cert: forged.certFile, key: forged.keyFile }, ['get', keys.node('c1', 'n1')]);
  assert.notEqual(r.code, 0);
  assert.match(r.out, /not signed by the CA recorded for cluster c2/);
  await admin?.delete(keys.meshRemote('c4'));
  await waitFor('c4 refused again', async () => ((await etcdctl(c4, ['get', keys.node('c1', 'n1')], { quick: true })).code !== 0 ? true : undefined), 15_000);
});

void test('disconnect revokes exactly that cluster: its record gone, its calls refused and its watch ended', async () => {
  const c2 = viaProxy('c2');
  const watcher = spawn('etcdctl', ['--endpoints', c2.endpoint, '--cacert', c2.cacert, '--cert', c2.cert, '--key', c2.key, 'watch', '--prefix', 'weft/state/'], {
    env: { ...process.env, ETCDCTL_API: '3' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let watched = '';
  watcher.stdout.on('data', (b: Buffer) => (watched += b.toString()));
  watcher.stderr.on('data', (b: Buffer) => (watched += b.toString()));
  const exited = new Promise<number>((resolve) => watcher.on('close', (code) => resolve(code ?? 1)));
  const killer = setTimeout(() => watcher.kill('SIGKILL'), 20_000);
  try {
    await waitFor('the watch sees a change', async () => {
      await admin?.put(keys.node('c1', 'n3'), `{"t":${Date.now()}}`);
      return watched.includes('weft/state/nodes/v1/c1/n3') ? true : undefined;
    }, 10_000, 300);
    await admin?.delete(keys.meshRemote('c2'));
    await waitFor('c2 refused', async () => (/cluster c2 is not connected/.test((await etcdctl(c2, ['get', keys.node('c1', 'n1')])).out) ? true : undefined), 10_000);
    await waitFor('the watch ended', () => Promise.resolve(watched.includes('no longer connected') || watcher.exitCode !== null ? true : undefined), 10_000);
  } finally {
    clearTimeout(killer);
    if (watcher.exitCode === null) watcher.kill('SIGKILL');
    await exited;
  }
  assert.match(watched, /no longer connected/, `the watch was ended by the proxy:\n${watched}\n${proxyLog}`);
});
