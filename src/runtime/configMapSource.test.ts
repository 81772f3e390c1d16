import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isWeftError } from '../errors.ts';
import { MemoryKv } from '../kvstore/memory.ts';
import { parseManifests } from '../model/manifest.ts';
import { applyDocuments } from '../model/resourceStore.ts';
import { kvConfigMapSource } from './configMapSource.ts';

void test('reads an applied ConfigMap by namespace and name; undefined when absent', async () => {
  const kv = new MemoryKv();
  await applyDocuments(kv, parseManifests('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: rebel-base-response}\ndata: {message: "hello\\n"}\n'));
  const src = kvConfigMapSource(kv);
  assert.deepEqual(await src.get('default', 'rebel-base-response'), { data: { message: 'hello\n' } });
  assert.equal(await src.get('other', 'rebel-base-response'), undefined);
  assert.equal(await src.get('default', 'nope'), undefined);
});

void test('an unreadable stored value is an error naming the key, not a missing ConfigMap', async () => {
  const kv = new MemoryKv();
  await kv.put('weft/resources/configmaps/default/bad', '{"data": {"k": 1}}');
  await assert.rejects(kvConfigMapSource(kv).get('default', 'bad'), (err) => isWeftError(err, 'KvInvalidValue') && /configmaps\/default\/bad/.test(err.message));
});
