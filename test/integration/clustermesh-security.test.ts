/**
 * `weft clustermesh enable` on a real lab cluster (root): the PKI, etcd over
 * https with client-certificate auth and RBAC, the CLI, operator and agents
 * back over mTLS with pods still running; the mesh proxy started; the lab's
 * identities within the access table (the whole table, and remote access
 * through the proxy, are tried with etcdctl in mesh-proxy.test.ts); foreign
 * certificates and plain http refused; idempotent; and `lab down` removes
 * everything, PKI included.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEtcdKv } from '../../src/kvstore/etcd.ts';
import type { EtcdTls } from '../../src/kvstore/etcd.ts';
import type { KvBackend } from '../../src/kvstore/backend.ts';
import { keys } from '../../src/kvstore/keys.ts';
import { LabState } from '../../src/lab/state.ts';
import type { LabStatus } from '../../src/lab/status.ts';
import { createCa } from '../../src/pki/ca.ts';
import { issueCertificate } from '../../src/pki/issue.ts';
import { writePemPair } from '../../src/pki/files.ts';
import type { EnableResult } from '../../src/clustermesh/enable.ts';
import { silenceTlsIpServerNameWarning } from '../../src/util/tlsWarning.ts';
import { runningPods, weft, weftOk } from '../support/weft.ts';

const NAME = 'it-sec';
const ID = 230;
const CP_IP = '172.30.230.10';
const HTTPS = `https://${CP_IP}:2379`;
const HTTP = `http://${CP_IP}:2379`;
const isRoot = process.getuid?.() === 0;

let home = '';
let env: NodeJS.ProcessEnv = process.env;
const pkiDir = (): string => path.join(home, 'pki', NAME);

function tls(name: string, dir = pkiDir()): EtcdTls {
  return { caFile: path.join(pkiDir(), 'cluster-ca.crt'), certFile: path.join(dir, `${name}.crt`), keyFile: path.join(dir, `${name}.key`) };
}

function labState(): LabState {
  return LabState.parse(JSON.parse(readFileSync(path.join(home, 'lab', 'state.json'), 'utf8')));
}

function recordedPids(): string[] {
  return (labState().clusters.find((c) => c.name === NAME)?.hosts ?? []).flatMap((h) => h.processes.map((p) => `${h.name}/${p.name}:${p.pid ?? '-'}`));
}

async function withKv<T>(t: EtcdTls | undefined, endpoint: string, fn: (kv: KvBackend) => Promise<T>): Promise<T> {
  const kv = createEtcdKv({ endpoints: [endpoint], dialTimeoutMs: 3000, ...(t === undefined ? {} : { tls: t }) });
  try {
    return await fn(kv);
  } finally {
    await kv.close();
  }
}

const DENIED = /permission denied/i;

before(() => {
  if (!isRoot) return;
  silenceTlsIpServerNameWarning();
  home = mkdtempSync(path.join(tmpdir(), 'weft-it-sec-'));
  env = { ...process.env, WEFT_HOME: home };
});

after(async () => {
  if (!isRoot) return;
  await weft(['lab', 'down', '--name', NAME], env);
  rmSync(home, { recursive: true, force: true });
});

void test('clustermesh enable: mTLS + RBAC on a lab cluster', { skip: !isRoot && 'needs root', timeout: 600_000 }, async () => {
  await weftOk(['lab', 'up', '--name', NAME, '--id', String(ID), '--nodes', '1', '--pod-cidr', '10.230.0.0/16', '--service-cidr', '10.231.0.0/16', '--routing', 'native'], env);
  await weftOk(['--context', NAME, 'apply', '-f', path.join(import.meta.dirname, '..', '..', 'examples', 'seed-000', 'echo.yaml')], env);
  const [podBefore] = await runningPods(NAME, env, 'run=echo-1', 1);
  assert.ok(podBefore?.status !== null && podBefore !== undefined);

  // A bad --inherit-ca fails before anything changes, naming the value.
  const unknown = await weft(['clustermesh', 'enable', '--context', NAME, '--inherit-ca', 'no-such-ctx'], env);
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /--inherit-ca "no-such-ctx": context "no-such-ctx" does not exist/);
  const self = await weft(['clustermesh', 'enable', '--context', NAME, '--inherit-ca', NAME], env);
  assert.notEqual(self.code, 0);
  assert.match(self.stderr, new RegExp(`--inherit-ca "${NAME}" is cluster ${NAME} itself`));
  const both = await weft(['clustermesh', 'enable', '--context', NAME, '--create-ca', '--inherit-ca', 'x'], env);
  assert.notEqual(both.code, 0);
  assert.equal(existsSync(pkiDir()), false, 'no PKI written');
  assert.equal(labState().clusters[0]?.endpoint, HTTP, 'lab state unchanged');
  assert.equal(labState().clusters[0]?.mesh, undefined);

  // Enable (JSON on stdout, progress with ✅ on stderr).
  const pidsBefore = recordedPids();
  const run = await weft(['clustermesh', 'enable', '--context', NAME, '--output', 'json'], env);
  assert.equal(run.code, 0, `enable failed:\n${run.stdout}\n${run.stderr}`);
  const res = JSON.parse(run.stdout) as EnableResult;
  assert.equal(res.alreadyEnabled, false);
  assert.equal(res.ca.source, 'created');
  assert.equal(res.endpoint, HTTPS);
  assert.equal(res.pkiDir, pkiDir());
  assert.deepEqual(res.restarted, ['etcd on cp', 'operator on cp', 'agent on n1', 'mesh-proxy on cp']);
  assert.match(run.stderr, /✅ etcd auth enabled/);
  assert.match(run.stderr, /✅ Agents re-registered over mTLS, nodes ready/);
  const pidsAfter = recordedPids();
  for (let i = 0; i < pidsBefore.length; i++) assert.notEqual(pidsAfter[i], pidsBefore[i], `${pidsBefore[i]} restarted`);
  assert.ok(pidsAfter.some((p) => /^cp\/mesh-proxy:\d+$/.test(p)), `mesh proxy recorded: ${pidsAfter.join(' ')}`);

  // Lab state, status and argv.
  const c = labState().clusters.find((x) => x.name === NAME);
  assert.deepEqual(c?.mesh, { enabled: true, pkiDir: pkiDir() });
  assert.equal(c?.endpoint, HTTPS);
  const argv = (host: string, proc: string): string => c?.hosts.find((h) => h.name === host)?.processes.find((p) => p.name === proc)?.argv.join(' ') ?? '';
  assert.match(argv('cp', 'etcd'), new RegExp(`--listen-client-urls=https://${CP_IP}:2379,https://127.0.0.1:2379 .*--client-cert-auth --trusted-ca-file=\\S+/cluster-ca.crt`));
  assert.match(argv('cp', 'operator'), /--etcd https:\/\/127\.0\.0\.1:2379 --etcd-ca \S+cluster-ca\.crt --etcd-cert \S+operator\.crt --etcd-key \S+operator\.key --mesh-cert \S+remote\.crt --mesh-key \S+remote\.key/);
  assert.match(argv('n1', 'agent'), new RegExp(`--etcd https://${CP_IP}:2379 --etcd-ca \\S+cluster-ca\\.crt --etcd-cert \\S+node\\.crt --etcd-key \\S+node\\.key`));
  assert.doesNotMatch(argv('n1', 'agent'), /remote\.(crt|key)|ca\.key/, 'agents hold no remote credentials and no CA key');
  assert.match(argv('cp', 'mesh-proxy'), new RegExp(`mesh-proxy --cluster ${NAME} --listen ${CP_IP}:32379 --etcd https://127\\.0\\.0\\.1:2379 .*--etcd-cert \\S+/mesh-proxy\\.crt .*--tls-cert \\S+/mesh-proxy-server\\.crt`));
  const status = JSON.parse(await weftOk(['lab', 'status', '-o', 'json'], env)) as LabStatus;
  const sc = status.clusters.find((x) => x.name === NAME);
  assert.equal(sc?.mesh.enabled, true);
  assert.ok(sc?.hosts.every((h) => h.processes.every((p) => p.alive)), 'every process alive');
  assert.match(await weftOk(['lab', 'status'], env), /it-sec: etcd https:\/\/172\.30\.230\.10:2379 \(mTLS \+ RBAC/);

  // The CLI over mTLS (the context now carries the admin certificate); no TLS warning noise.
  const nodeList = await weft(['--context', NAME, 'node', 'list', '-o', 'json'], env);
  assert.equal(nodeList.code, 0, nodeList.stderr);
  assert.equal(nodeList.stderr, '');
  const nodes = JSON.parse(nodeList.stdout) as { name: string; ready: boolean; podCIDR: string }[];
  assert.deepEqual(nodes.map((n) => [n.name, n.ready]), [['n1', true]]);
  const ctxs = JSON.parse(await weftOk(['config', 'get-contexts', '-o', 'json'], env)) as { contexts: { name: string; endpoints: string[]; tls?: EtcdTls }[] };
  assert.deepEqual(ctxs.contexts.find((x) => x.name === NAME), { name: NAME, cluster: NAME, endpoints: [HTTPS], tls: tls('admin'), meshEndpoints: [`https://${CP_IP}:32379`] });

  // Pods kept running: same pod, same IP, no restart, still answering.
  const [podAfter] = await runningPods(NAME, env, 'run=echo-1', 1);
  assert.equal(podAfter?.metadata.name, podBefore.metadata.name);
  assert.equal(podAfter?.status?.podIP, podBefore.status?.podIP);
  assert.equal(podAfter?.status?.restarts, podBefore.status?.restarts);
  const curl = spawnSync('ip', ['netns', 'exec', `wf-${NAME}_n1`, 'curl', '-s', '--max-time', '5', `http://${podBefore.status?.podIP ?? ''}:8080/`], { encoding: 'utf8' });
  assert.match(curl.stdout, /Request served by/);

  // Private keys 0600; the CA and every certificate present.
  const files = readdirSync(pkiDir()).sort();
  assert.deepEqual(files, [
    'admin.crt', 'admin.key', 'ca.crt', 'ca.key', 'cluster-ca.crt', 'cluster-ca.key', 'etcd-server.crt', 'etcd-server.key',
    'mesh-proxy-server.crt', 'mesh-proxy-server.key', 'mesh-proxy.crt', 'mesh-proxy.key', 'node.crt', 'node.key', 'operator.crt', 'operator.key', 'remote.crt', 'remote.key',
  ]);
  for (const f of files.filter((x) => x.endsWith('.key'))) assert.equal(statSync(path.join(pkiDir(), f)).mode & 0o777, 0o600, `${f} mode`);

  // The node identity of the lab: reads what it needs, writes what a node owns, nothing else.
  await withKv(tls('node'), HTTPS, async (kv) => {
    assert.ok((await kv.get(keys.clusterConfig(NAME))) !== undefined);
    assert.ok((await kv.list(keys.nodesPrefix(NAME))).entries.length === 1);
    await kv.put(keys.agentMeshStatus('zz-sectest'), '{}');
    await kv.delete(keys.agentMeshStatus('zz-sectest'));
    await assert.rejects(kv.list(keys.meshRemotesPrefix()), DENIED);
    await assert.rejects(kv.put('weft/zz-sectest', '1'), DENIED);
    await assert.rejects(kv.put(keys.clusterConfig(NAME), '{}'), DENIED);
    await assert.rejects(kv.deletePrefix('weft/'), DENIED);
    await assert.rejects(kv.put('outside-weft', '1'), DENIED);
  });
  // The own remote certificate (mesh CA) is not a client of the own etcd, and the own proxy refuses it too.
  await assert.rejects(withKv(tls('remote'), HTTPS, (kv) => kv.get(keys.clusterConfig(NAME))));
  await assert.rejects(
    withKv({ ...tls('remote'), caFile: path.join(pkiDir(), 'ca.crt') }, `https://${CP_IP}:32379`, (kv) => kv.get(keys.clusterConfig(NAME))),
    /refused get weft\/cluster-config\/it-sec: weft mesh proxy: certificate CN "remote-it-sec" is this cluster's own remote identity/,
  );

  // A client certificate of another CA is refused; so is plain http.
  const foreignDir = path.join(home, 'foreign');
  const other = await createCa({ commonName: 'foreign-ca' });
  writePemPair(foreignDir, 'admin', await issueCertificate(other, { commonName: 'admin', usages: ['clientAuth'] }));
  await assert.rejects(withKv(tls('admin', foreignDir), HTTPS, (kv) => kv.get(keys.clusterConfig(NAME))));
  await assert.rejects(withKv(undefined, HTTP, (kv) => kv.get(keys.clusterConfig(NAME))));
  const plain = spawnSync('curl', ['-s', '--max-time', '5', `${HTTP}/health`], { encoding: 'utf8' });
  assert.doesNotMatch(plain.stdout, /"health":"true"/);
  // https without a client certificate: no answer either.
  const noCert = spawnSync('curl', ['-s', '--max-time', '5', '--cacert', tls('admin').caFile, `${HTTPS}/health`], { encoding: 'utf8' });
  assert.doesNotMatch(noCert.stdout, /"health":"true"/);

  // Idempotent: a second run says so and changes nothing.
  const certBefore = readFileSync(tls('admin').certFile, 'utf8');
  const pidsDone = recordedPids();
  const again = await weft(['clustermesh', 'enable', '--context', NAME], env);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /✅ ClusterMesh is already enabled on it-sec/);
  assert.deepEqual(recordedPids(), pidsDone);
  assert.equal(readFileSync(tls('admin').certFile, 'utf8'), certBefore);

  // A lab etcd restart keeps working over mTLS (health probed with the admin certificate).
  const restart = await weft(['lab', 'process', 'restart', '--name', NAME, '--host', 'cp', '--process', 'etcd'], env);
  assert.equal(restart.code, 0, restart.stderr);
  assert.match(restart.stdout, /etcd healthy at https:\/\/172\.30\.230\.10:2379 \(mTLS\)/);
  await weftOk(['--context', NAME, 'node', 'list'], env);

  // lab down leaves nothing: netns, PKI, lab folder of the cluster, context.
  await weftOk(['lab', 'down', '--name', NAME], env);
  const netns = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
  assert.doesNotMatch(netns, new RegExp(`wf-${NAME}_`));
  assert.equal(existsSync(pkiDir()), false, 'PKI removed');
  assert.equal(existsSync(path.join(home, 'lab', NAME)), false);
  const ctxLeft = JSON.parse(await weftOk(['config', 'get-contexts', '-o', 'json'], env)) as { contexts: { name: string }[] };
  assert.equal(ctxLeft.contexts.some((x) => x.name === NAME), false);
});
