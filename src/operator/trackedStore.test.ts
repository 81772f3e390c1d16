import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { MemoryKv } from '../kvstore/memory.ts';
import { silentLogger } from '../util/log.ts';
import { TrackedStore } from './trackedStore.ts';

function store(kv: MemoryKv, now: () => number): TrackedStore<string> {
  return new TrackedStore<string>({ kv, prefix: 'p/', parse: (_k, v) => v, logger: silentLogger, onChange: () => undefined, ttlMs: 1000, now });
}

void test('pending writes are visible before the watch shows them, and cleared once it does', async () => {
  const kv = new MemoryKv();
  await kv.put('p/a', 'a1');
  let clock = 0;
  const s = store(kv, () => clock);
  s.start();
  await s.store.synced;
  s.wrote('p/b', 'b1');
  s.deleted('p/a');
  assert.deepEqual(s.entries(), [['p/b', 'b1']]);
  await kv.put('p/b', 'b1');
  await sleep(5);
  assert.deepEqual(s.entries(), [['p/b', 'b1']], 'the put cleared the pending put; the pending delete still hides p/a');
  await kv.put('p/a', 'a2');
  await sleep(5);
  assert.equal(s.get('p/a'), undefined, 'a put does not clear a pending delete');
  clock = 2000;
  assert.equal(s.get('p/a'), 'a2', 'pending writes expire after the ttl');
  s.close();
});

void test('a pending delete is cleared by the delete event', async () => {
  const kv = new MemoryKv();
  await kv.put('p/a', 'a1');
  const s = store(kv, () => 0);
  s.start();
  await s.store.synced;
  s.deleted('p/a');
  await kv.delete('p/a');
  await sleep(5);
  await kv.put('p/a', 'again');
  await sleep(5);
  assert.equal(s.get('p/a'), 'again');
  s.close();
});
