import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keys } from '../kvstore/keys.ts';
import { MemoryKv } from '../kvstore/memory.ts';
import { connectedRemotes, countsAsRemote, meshRemotes, meshSources } from './meshView.ts';

test('a remote counts when it has a record and is not the cluster itself', async () => {
  const kv = new MemoryKv();
  await kv.put(keys.meshRemote('c3'), '{}');
  await kv.put(keys.meshRemote('c2'), '{}');
  await kv.put(keys.meshRemote('c1'), '{}');
  await kv.put(keys.cacheOf('c4', keys.node('c4', 'n1')), '{}'); // cache without a record: not connected
  assert.deepEqual(await connectedRemotes(kv, 'c1'), ['c2', 'c3']);
  assert.deepEqual(meshRemotes('c1', ['c2', 'c1', 'c2', '']), ['c2']);
  assert.equal(countsAsRemote('c1', 'c1'), false);
  assert.equal(countsAsRemote('c1', 'c2'), true);
});

test('a key under the records that is not a record names no remote', async () => {
  const kv = new MemoryKv();
  await kv.put(keys.meshRemote('c2'), '{}');
  await kv.put(`${keys.meshRemote('c5')}/extra`, '{}');
  assert.deepEqual(await connectedRemotes(kv, 'c1'), ['c2']);
});

test('sources: the own prefix first, then each remote copy in the cache', () => {
  assert.deepEqual(meshSources('c1', ['c2', 'c1'], (c) => keys.nodesPrefix(c)), [
    { cluster: 'c1', prefix: keys.nodesPrefix('c1') },
    { cluster: 'c2', prefix: keys.cacheOf('c2', keys.nodesPrefix('c2')) },
  ]);
});
