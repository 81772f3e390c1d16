import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, isWeftError } from '../errors.ts';
import { keys } from '../kvstore/keys.ts';
import { MemoryKv } from '../kvstore/memory.ts';
import { clusterIdentity } from '../policy/types.ts';
import { IdentityAllocator } from './allocator.ts';
import { labelsHash } from './labels.ts';

const A = { app: 'a', 'io.kubernetes.pod.namespace': 'default', 'io.cilium.k8s.policy.cluster': 'c1' };
const B = { app: 'b', 'io.kubernetes.pod.namespace': 'default', 'io.cilium.k8s.policy.cluster': 'c1' };

test('the same label set gets the same id; a different set the next one; the keys hold labels and index', async () => {
  const kv = new MemoryKv();
  const alloc = new IdentityAllocator({ kv, cluster: 'c1', clusterId: 1 });
  const a = await alloc.allocate(A);
  assert.equal(a, clusterIdentity(1, 256));
  assert.equal(await alloc.allocate({ ...A }), a);
  assert.equal(await new IdentityAllocator({ kv, cluster: 'c1', clusterId: 1 }).allocate(A), a);
  const b = await alloc.allocate(B);
  assert.equal(b, clusterIdentity(1, 257));
  const stored = await kv.get(keys.identity('c1', a));
  assert.deepEqual(JSON.parse(stored?.value ?? ''), { labels: { app: 'a', 'io.cilium.k8s.policy.cluster': 'c1', 'io.kubernetes.pod.namespace': 'default' } });
  assert.deepEqual(JSON.parse((await kv.get(keys.identityIndex('c1', labelsHash(A))))?.value ?? ''), { id: a });
  // Another cluster allocates in its own space.
  assert.equal(await new IdentityAllocator({ kv, cluster: 'c2', clusterId: 2 }).allocate(A), clusterIdentity(2, 256));
});

test('writeWithIdentity commits the caller ops with the allocation and touches the index on reuse', async () => {
  const kv = new MemoryKv();
  const alloc = new IdentityAllocator({ kv, cluster: 'c1', clusterId: 1 });
  const id = await alloc.writeWithIdentity(A, (i) => [{ op: 'put', key: 'weft/x', value: String(i) }]);
  assert.equal((await kv.get('weft/x'))?.value, String(id));
  const indexKey = keys.identityIndex('c1', labelsHash(A));
  const before = (await kv.get(indexKey))?.modRevision ?? 0;
  await alloc.writeWithIdentity(A, () => [{ op: 'put', key: 'weft/y', value: '1' }]);
  const after = await kv.get(indexKey);
  const y = await kv.get('weft/y');
  assert.ok((after?.modRevision ?? 0) > before, 'index touched');
  assert.equal(after?.modRevision, y?.modRevision, 'in the same transaction');
});

test('concurrent allocators: the same set gets one id, different sets never share one', async () => {
  const kv = new MemoryKv();
  const allocators = [1, 2, 3, 4].map(() => new IdentityAllocator({ kv, cluster: 'c1', clusterId: 1 }));
  const sets = Array.from({ length: 12 }, (_, i) => ({ app: `app${i % 4}` }));
  const ids = await Promise.all(sets.map((s, i) => allocators[i % allocators.length]?.allocate(s) ?? Promise.resolve(-1)));
  const byApp = new Map<string, Set<number>>();
  sets.forEach((s, i) => byApp.set(s.app, (byApp.get(s.app) ?? new Set()).add(ids[i] ?? -1)));
  for (const [app, set] of byApp) assert.equal(set.size, 1, `${app} got ${[...set].join(',')}`);
  const distinct = new Set([...byApp.values()].map((s) => [...s][0]));
  assert.equal(distinct.size, 4);
  assert.equal((await kv.list(keys.identitiesPrefix('c1'))).entries.length, 4);
  assert.equal((await kv.list(keys.identityIndexPrefix('c1'))).entries.length, 4);
});

test('exhaustion: an error naming the cluster and the range', async () => {
  const kv = new MemoryKv();
  const alloc = new IdentityAllocator({ kv, cluster: 'c1', clusterId: 1, localRange: { min: 256, max: 257 } });
  await alloc.allocate(A);
  await alloc.allocate(B);
  await assert.rejects(alloc.allocate({ app: 'c' }), (e) => isWeftError(e, ErrorCode.PoolExhausted) && /cluster c1/.test(e.message) && /256-257/.test(e.message));
  // Existing sets still resolve.
  assert.equal(await alloc.allocate(A), clusterIdentity(1, 256));
});

test('an index whose identity key vanished is repaired; an out-of-range cluster id is refused', async () => {
  const kv = new MemoryKv();
  const alloc = new IdentityAllocator({ kv, cluster: 'c1', clusterId: 1 });
  const id = await alloc.allocate(A);
  await kv.delete(keys.identity('c1', id));
  assert.equal(await alloc.allocate(A), id);
  assert.ok((await kv.get(keys.identity('c1', id))) !== undefined);
  assert.throws(() => new IdentityAllocator({ kv, cluster: 'c1', clusterId: 300 }), /cluster id 300 is out of range 1-255/);
});

test('a writer that loses against a delete of the index (garbage collection) allocates anew', async () => {
  const kv = new MemoryKv();
  const alloc = new IdentityAllocator({ kv, cluster: 'c1', clusterId: 1 });
  const id = await alloc.allocate(A);
  const indexKey = keys.identityIndex('c1', labelsHash(A));
  // Delete the index + identity between the writer's read and its transaction.
  const realTxn = kv.txn.bind(kv);
  let once = true;
  kv.txn = async (compares, ops) => {
    if (once) {
      once = false;
      await kv.deletePrefix(indexKey);
      await kv.delete(keys.identity('c1', id));
    }
    return realTxn(compares, ops);
  };
  const again = await alloc.writeWithIdentity(A, () => [{ op: 'put', key: 'weft/ep', value: 'x' }]);
  assert.equal(again, id, 'the lowest free id is the same one');
  assert.ok((await kv.get(indexKey)) !== undefined);
  assert.ok((await kv.get(keys.identity('c1', id))) !== undefined);
});
