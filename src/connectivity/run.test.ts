import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { keys } from '../kvstore/keys.ts';
import { runConnectivityTest } from './run.ts';
import type { ConnectivityRun } from './run.ts';
import { FakeCluster, fakeRunner, reconcileLoop } from './testFixtures.ts';
import type { PodRunner } from './probe.ts';

let loop: { stop: () => void } | undefined;
afterEach(() => loop?.stop());

async function mesh(): Promise<[FakeCluster, FakeCluster]> {
  const a = new FakeCluster('c1', 1);
  const b = new FakeCluster('c2', 2);
  await a.addNodes(['n1', 'n2']);
  await b.addNodes(['n1']);
  await a.kv.put(keys.meshRemote('c2'), '{}');
  loop = reconcileLoop([a, b]);
  return [a, b];
}

function options(a: FakeCluster, b: FakeCluster | undefined, run: PodRunner, extra: Partial<ConnectivityRun> = {}): ConnectivityRun {
  return { local: a.handle(), remote: b?.handle(), namespace: 'weft-test', patterns: [], run, progress: () => undefined, patienceMs: 1500, deployTimeoutMs: 5000, ...extra };
}

async function leftovers(c: FakeCluster): Promise<string[]> {
  const { entries } = await c.kv.list('weft/');
  return entries.map((e) => e.key).filter((k) => k.includes('weft-test') && !k.startsWith('weft/state/services/'));
}

test('two clusters: every check passes; the namespace, pods and policy are gone afterwards', async () => {
  const [a, b] = await mesh();
  const lines: string[] = [];
  const results = await runConnectivityTest(options(a, b, fakeRunner([a, b]), { progress: (l) => lines.push(l) }));
  assert.deepEqual(results.map((r) => `${r.name} ${r.status}${r.reason === undefined ? '' : ` ${r.reason}`}`), [
    'pod-to-pod/same-node passed',
    'pod-to-pod/other-node passed',
    'pod-to-pod/other-cluster passed',
    'pod-to-service/local passed',
    'pod-to-service/global passed',
    'dns/local passed',
    'dns/global passed',
    'policy/allow passed',
    'policy/deny passed',
    'affinity/failover passed',
  ]);
  assert.ok(lines.some((l) => l.startsWith('🔥 [c1] Deleting echo-other-node')));
  assert.ok(lines.some((l) => l.startsWith('✅ [c1] pod weft-test/echo-other-node is Running')));
  assert.deepEqual(await leftovers(a), []);
  assert.deepEqual(await leftovers(b), []);
});

test('a policy that is not enforced fails policy/deny with what was tried; the rest still runs and cleans up', async () => {
  const [a, b] = await mesh();
  const results = await runConnectivityTest(options(a, b, fakeRunner([a, b], { enforcePolicy: false }), { patterns: ['^policy/', 'failover'] }));
  const deny = results.find((r) => r.name === 'policy/deny');
  assert.equal(deny?.status, 'failed');
  assert.match(deny?.reason ?? '', /client2 \(no access label\) denied: not seen within 1.5s/);
  assert.match(deny?.actions[0]?.output ?? '', /served by echo-same-node/);
  assert.equal(results.find((r) => r.name === 'affinity/failover')?.status, 'passed');
  assert.deepEqual(await leftovers(a), []);
});

test('without a second cluster the cross-cluster checks are skipped and nothing is deployed for them', async () => {
  const [a] = await mesh();
  const results = await runConnectivityTest(options(a, undefined, fakeRunner([a])));
  assert.deepEqual(results.filter((r) => r.status === 'skipped').map((r) => r.name), ['pod-to-pod/other-cluster', 'pod-to-service/global', 'dns/global', 'affinity/failover']);
  assert.ok(results.filter((r) => r.status !== 'skipped').every((r) => r.status === 'passed'));
});

test('an interrupt stops the checks, and the namespace is removed all the same', async () => {
  const [a, b] = await mesh();
  const aborter = new AbortController();
  const inner = fakeRunner([a, b]);
  let calls = 0;
  const run: PodRunner = async (pod, argv) => {
    if (++calls === 3) aborter.abort();
    return inner(pod, argv);
  };
  await assert.rejects(runConnectivityTest(options(a, b, run, { signal: aborter.signal })), /interrupted/);
  assert.deepEqual(await leftovers(a), []);
  assert.deepEqual(await leftovers(b), []);
});

test('a second cluster that is not connected is refused before anything is deployed', async () => {
  const [a] = await mesh();
  const c = new FakeCluster('c3', 3);
  await c.addNodes(['n1']);
  await assert.rejects(runConnectivityTest(options(a, c, fakeRunner([a, c]))), /cluster c1 is not connected to c3: run `weft clustermesh connect --context c1 --destination-context c3`/);
  assert.deepEqual(await leftovers(a), []);
});

test('a namespace the test did not create is refused and left alone', async () => {
  const [a, b] = await mesh();
  await a.kv.put(keys.clusterResource('namespaces', 'mine'), JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'mine', labels: {}, annotations: {} } }));
  await assert.rejects(runConnectivityTest(options(a, b, fakeRunner([a, b]), { namespace: 'mine' })), /namespace "mine" in c1 was not created by the connectivity test .* choose another with --test-namespace/);
  assert.notEqual(await a.kv.get(keys.clusterResource('namespaces', 'mine')), undefined);
  await assert.rejects(runConnectivityTest(options(a, b, fakeRunner([a, b]), { namespace: 'default' })), /namespace "default"/);
});

test('a namespace left by an interrupted run is removed before deploying', async () => {
  const [a, b] = await mesh();
  const lines: string[] = [];
  await a.kv.put(keys.clusterResource('namespaces', 'weft-test'), JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'weft-test', labels: { 'app.kubernetes.io/part-of': 'weft-connectivity-test' }, annotations: {} } }));
  const results = await runConnectivityTest(options(a, b, fakeRunner([a, b]), { patterns: ['same-node'], progress: (l) => lines.push(l) }));
  assert.equal(results[0]?.status, 'passed');
  assert.ok(lines.some((l) => l.includes('is left from an earlier run')));
});
