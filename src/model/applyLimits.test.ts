import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryKv } from '../kvstore/memory.ts';
import type { KvBackend } from '../kvstore/backend.ts';
import { ETCD_MAX_TXN_OPS } from '../kvstore/etcdLimits.ts';
import { checkObjectCount, checkTxnLimits, MAX_APPLY_BYTES, MAX_OBJECT_BYTES, MAX_OBJECTS_PER_APPLY } from './applyLimits.ts';
import { parseManifests } from './manifest.ts';
import { applyDocuments } from './resourceStore.ts';
import { deleteResources } from './resourceDelete.ts';

function configMaps(n: number, valueBytes: number, ns = 'default'): string {
  const docs: string[] = [];
  for (let i = 0; i < n; i++) docs.push(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-${i}, namespace: ${ns}}\ndata: {v: "${'x'.repeat(valueBytes)}"}\n`);
  return docs.join('---\n');
}

function pod(name: string, annotationBytes: number): string {
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  annotations: {big: "${'a'.repeat(annotationBytes)}"}\nspec:\n  containers: [{name: c, image: echo}]\n`;
}

async function keyCount(kv: KvBackend): Promise<number> {
  return (await kv.list('weft/')).entries.length;
}

void test('the limits as documented', () => {
  assert.equal(MAX_OBJECTS_PER_APPLY, 2000);
  assert.equal(MAX_OBJECT_BYTES, 1572864);
  assert.equal(MAX_APPLY_BYTES, 8 * 1024 * 1024);
});

void test('more objects than one apply takes are refused naming the file and the limit', () => {
  checkObjectCount(MAX_OBJECTS_PER_APPLY, 'f.yaml');
  assert.throws(() => checkObjectCount(MAX_OBJECTS_PER_APPLY + 1, 'f.yaml'), /: f\.yaml: 2001 objects are over the limit of 2000 objects per apply/);
});

void test('an object over 1.5 MiB is refused naming kind, namespace and name; nothing is written', async () => {
  const kv = new MemoryKv();
  const docs = parseManifests(`${pod('small', 10)}---\n${pod('huge', 5 * 1024 * 1024)}`);
  await assert.rejects(applyDocuments(kv, docs), (err: Error) => {
    assert.match(err.message, /pod\/huge in namespace "default" is 52\d{5} bytes \(5 MiB\) as stored, over the limit of 1572864 bytes \(1\.5 MiB\) per object; nothing was applied/);
    return true;
  });
  assert.equal(await keyCount(kv), 0);
});

void test('an object just under the limit is written', async () => {
  const kv = new MemoryKv();
  await applyDocuments(kv, parseManifests(pod('big', MAX_OBJECT_BYTES - 500)));
  assert.equal(await keyCount(kv), 1);
});

void test('an apply over 8 MiB in total is refused naming the total and the limit; nothing is written', async () => {
  const kv = new MemoryKv();
  const docs = parseManifests(configMaps(9, 1000 * 1000));
  await assert.rejects(applyDocuments(kv, docs), /apply writes 9\d{6} bytes \(\d\.\d+ MiB\) in one transaction, over the limit of 8388608 bytes \(8 MiB\) per apply; split the file; nothing was written/);
  assert.equal(await keyCount(kv), 0);
});

void test('a transaction over etcd operation limit is refused before it is sent', async () => {
  assert.throws(
    () => checkTxnLimits('delete', [], Array.from({ length: ETCD_MAX_TXN_OPS + 1 }, (_, i) => ({ op: 'delete' as const, key: `k${i}` }))),
    /delete needs 8193 etcd operations and 0 guards in one transaction, over the limit of 8192 together/,
  );
  // deleting 1,000 namespaces takes a prefix delete per namespaced kind each: refused whole
  const kv = new MemoryKv();
  const ns = Array.from({ length: 1000 }, (_, i) => `apiVersion: v1\nkind: Namespace\nmetadata: {name: ns-${i}}\n`).join('---\n');
  await applyDocuments(kv, parseManifests(ns));
  await assert.rejects(deleteResources(kv, Array.from({ length: 1000 }, (_, i) => ({ plural: 'namespaces', name: `ns-${i}` }))), /over the limit of 8192/);
  assert.equal(await keyCount(kv), 1000);
});
