import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isWeftError } from '../errors.ts';
import { MemoryKv } from '../kvstore/memory.ts';
import { parseManifests } from './manifest.ts';
import { applyDocuments } from './resourceStore.ts';
import { deleteDocuments, deleteResources } from './resourceDelete.ts';
import { DEPLOYMENT_YAML, NAMESPACE_YAML, POD_YAML } from './testFixtures.ts';

void test('delete removes the objects and reports missing ones as notFound', async () => {
  const kv = new MemoryKv();
  await applyDocuments(kv, parseManifests(POD_YAML));
  const res = await deleteResources(kv, [
    { plural: 'pods', name: 'client' },
    { plural: 'pods', namespace: 'default', name: 'ghost' },
  ]);
  assert.deepEqual(res.map((r) => [r.display, r.action]), [['pod/client', 'deleted'], ['pod/ghost', 'notFound']]);
  assert.equal((await kv.list('weft/')).entries.length, 0);
});

void test('deleting a namespace deletes everything in it, and only that', async () => {
  const kv = new MemoryKv();
  const docs = parseManifests(`${NAMESPACE_YAML}---\n${DEPLOYMENT_YAML}---\n${POD_YAML}`);
  await applyDocuments(kv, docs);
  await applyDocuments(kv, parseManifests(NAMESPACE_YAML.replace('team-a', 'team-ab')));
  await applyDocuments(kv, parseManifests(DEPLOYMENT_YAML.replace('team-a', 'team-ab')));
  const res = await deleteDocuments(kv, docs.filter((d) => d.kind !== 'Pod'));
  assert.deepEqual(res.map((r) => r.action), ['deleted', 'deleted']);
  const left = (await kv.list('weft/')).entries.map((e) => e.key).sort();
  assert.deepEqual(left, ['weft/resources/deployments/team-ab/web', 'weft/resources/namespaces/_/team-ab', 'weft/resources/pods/default/client']);
});

void test('the default namespace cannot be deleted', async () => {
  await assert.rejects(deleteResources(new MemoryKv(), [{ plural: 'namespaces', name: 'default' }]), (err) => isWeftError(err, 'InvalidInput'));
});

void test('an unknown kind is an UnknownKind error', async () => {
  await assert.rejects(deleteResources(new MemoryKv(), [{ plural: 'widgets', name: 'x' }]), (err) => isWeftError(err, 'UnknownKind'));
});
