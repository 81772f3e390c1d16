import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isWeftError } from '../errors.ts';
import { MemoryKv } from '../kvstore/memory.ts';
import { keys } from '../kvstore/keys.ts';
import type { KvBackend, KvCompare, KvOp } from '../kvstore/backend.ts';
import { parseManifests } from './manifest.ts';
import { applyDocuments, getResource, listResources } from './resourceStore.ts';
import { DEPLOYMENT_YAML, NAMESPACE_YAML, POD_YAML } from './testFixtures.ts';

const T0 = () => new Date('2025-01-01T00:00:00Z');

async function allKeys(kv: KvBackend): Promise<string[]> {
  return (await kv.list('weft/')).entries.map((e) => e.key);
}

void test('apply creates, then reports unchanged, then configured', async () => {
  const kv = new MemoryKv();
  const docs = parseManifests(`${NAMESPACE_YAML}---\n${DEPLOYMENT_YAML}---\n${POD_YAML}`);
  const first = await applyDocuments(kv, docs, { now: T0 });
  assert.deepEqual(first.map((r) => [r.display, r.action]), [['namespace/team-a', 'created'], ['deployment.apps/web', 'created'], ['pod/client', 'created']]);
  assert.deepEqual(await allKeys(kv), [
    keys.resource('deployments', 'team-a', 'web'),
    keys.clusterResource('namespaces', 'team-a'),
    keys.resource('pods', 'default', 'client'),
  ].sort());
  const again = await applyDocuments(kv, parseManifests(`${NAMESPACE_YAML}---\n${DEPLOYMENT_YAML}---\n${POD_YAML}`));
  assert.deepEqual(again.map((r) => r.action), ['unchanged', 'unchanged', 'unchanged']);
  const scaled = await applyDocuments(kv, parseManifests(DEPLOYMENT_YAML.replace('replicas: 3', 'replicas: 1')));
  assert.deepEqual(scaled.map((r) => r.action), ['configured']);
  const stored = await getResource(kv, 'deployments', 'team-a', 'web');
  assert.ok(stored?.kind === 'Deployment');
  assert.equal(stored.spec.replicas, 1);
  assert.equal(stored.metadata.creationTimestamp, '2025-01-01T00:00:00.000Z', 'creationTimestamp is kept across updates');
});

void test('one document in a namespace that does not exist → nothing is written', async () => {
  const kv = new MemoryKv();
  const docs = parseManifests(`${POD_YAML}---\n${DEPLOYMENT_YAML}`);
  await assert.rejects(applyDocuments(kv, docs), (err) => {
    assert.ok(isWeftError(err, 'NotFound'));
    assert.match(err.message, /namespace "team-a" \(needed by deployment\.apps\/web\) not found/);
    return true;
  });
  assert.deepEqual(await allKeys(kv), []);
});

void test('a namespace created in the same apply, or already stored, satisfies the rule', async () => {
  const kv = new MemoryKv();
  await applyDocuments(kv, parseManifests(`${DEPLOYMENT_YAML}---\n${NAMESPACE_YAML}`));
  const kv2 = new MemoryKv();
  await applyDocuments(kv2, parseManifests(NAMESPACE_YAML));
  const res = await applyDocuments(kv2, parseManifests(DEPLOYMENT_YAML));
  assert.equal(res[0]?.action, 'created');
});

void test('re-applying a pod keeps the nodeName the scheduler set', async () => {
  const kv = new MemoryKv();
  await applyDocuments(kv, parseManifests(POD_YAML));
  const key = keys.resource('pods', 'default', 'client');
  const stored = JSON.parse((await kv.get(key))?.value ?? '{}') as { spec: Record<string, unknown> };
  stored.spec['nodeName'] = 'node-1';
  await kv.put(key, JSON.stringify(stored));
  const res = await applyDocuments(kv, parseManifests(POD_YAML));
  assert.equal(res[0]?.action, 'unchanged');
  const pod = await getResource(kv, 'pods', 'default', 'client');
  assert.equal(pod?.kind === 'Pod' && pod.spec.nodeName, 'node-1');
});

void test('a concurrent change fails the transaction, which is retried', async () => {
  const inner = new MemoryKv();
  let interfered = 0;
  const kv: KvBackend = Object.assign(Object.create(inner) as KvBackend, {
    get: (k: string) => inner.get(k),
    txn: async (c: readonly KvCompare[], o: readonly KvOp[]) => {
      if (interfered < 2) {
        interfered++;
        await inner.put(keys.resource('pods', 'default', 'client'), JSON.stringify({ concurrent: interfered }));
      }
      return inner.txn(c, o);
    },
  });
  const res = await applyDocuments(kv, parseManifests(POD_YAML));
  assert.equal(interfered, 2);
  assert.equal(res[0]?.action, 'configured', 'the stored (invalid) value is replaced');
  assert.equal((await getResource(inner, 'pods', 'default', 'client'))?.metadata.name, 'client');
});

void test('gives up with Conflict when every attempt conflicts', async () => {
  const inner = new MemoryKv();
  const kv: KvBackend = Object.assign(Object.create(inner) as KvBackend, {
    get: (k: string) => inner.get(k),
    txn: () => Promise.resolve(false),
  });
  await assert.rejects(applyDocuments(kv, parseManifests(POD_YAML), { maxAttempts: 3 }), (err) => isWeftError(err, 'Conflict'));
});

void test('the same object twice in one apply is rejected before anything is written', async () => {
  const kv = new MemoryKv();
  const [pod] = parseManifests(POD_YAML);
  assert.ok(pod);
  await assert.rejects(applyDocuments(kv, [pod, pod]), (err) => isWeftError(err, 'InvalidInput'));
  assert.deepEqual(await allKeys(kv), []);
});

void test('listResources lists by kind and namespace and skips invalid values', async () => {
  const kv = new MemoryKv();
  await applyDocuments(kv, parseManifests(`${NAMESPACE_YAML}---\n${POD_YAML}---\n${POD_YAML.replace('name: client', 'name: other').replace('metadata:\n', 'metadata:\n  namespace: team-a\n')}`));
  await kv.put(keys.resource('pods', 'default', 'broken'), '{not json');
  const invalid: string[] = [];
  const all = await listResources(kv, 'pods', undefined, { onInvalid: (k) => invalid.push(k) });
  assert.deepEqual(all.map((p) => `${p.kind === 'Pod' ? p.metadata.namespace : '-'}/${p.metadata.name}`), ['default/client', 'team-a/other']);
  assert.deepEqual(invalid, [keys.resource('pods', 'default', 'broken')]);
  const inNs = await listResources(kv, 'pods', 'team-a');
  assert.deepEqual(inNs.map((p) => p.metadata.name), ['other']);
  assert.deepEqual((await listResources(kv, 'namespaces')).map((n) => n.metadata.name), ['team-a']);
});
