import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, silentLogger } from '../../util/log.ts';
import { CacheWriter } from './cacheWriter.ts';
import { CountingKv, until } from './testFixtures.ts';

const P = 'weft/cache/c2/state/endpoints/v1/c2/default/';

function writer(kv: CountingKv, extra: Partial<ConstructorParameters<typeof CacheWriter>[0]> = {}): CacheWriter {
  return new CacheWriter({ kv, logger: silentLogger, classify: (k) => (k.startsWith(P) ? 'endpoints' : undefined), retry: { minMs: 1, maxMs: 5 }, ...extra });
}

test('puts go out in transactions of at most 128 ops; counts follow what is committed', async () => {
  const kv = new CountingKv();
  const w = writer(kv);
  for (let i = 0; i < 1000; i++) w.put(`${P}p${i}`, `{"i":${i}}`);
  assert.equal(w.count('endpoints'), 0, 'nothing committed yet');
  await w.flushed();
  assert.equal((await kv.list(P)).entries.length, 1000);
  assert.equal(kv.maxOps, 128);
  assert.equal(kv.txns, Math.ceil(1000 / 128));
  assert.equal(w.count('endpoints'), 1000);
  await w.close();
});

test('unchanged values are skipped, also against a loaded cache; repeated writes of a key coalesce', async () => {
  const kv = new CountingKv();
  await kv.put(`${P}a`, '{"v":1}');
  await kv.put(`${P}b`, '{"v":2}');
  const w = writer(kv);
  w.load((await kv.list(P)).entries);
  assert.equal(w.count('endpoints'), 2);
  w.put(`${P}a`, '{"v":1}');
  w.delete(`${P}zzz`); // absent
  await w.flushed();
  assert.equal(kv.txns, 0);
  w.put(`${P}b`, '{"v":3}');
  w.put(`${P}b`, '{"v":4}');
  w.put(`${P}c`, '{"v":5}');
  w.delete(`${P}c`); // put then delete of a new key: nothing to write
  await w.flushed();
  assert.equal(kv.txns, 1);
  assert.equal((await kv.get(`${P}b`))?.value, '{"v":4}');
  assert.equal(await kv.get(`${P}c`), undefined);
  w.put(`${P}b`, '{"v":9}');
  w.put(`${P}b`, '{"v":4}'); // back to what is held: dropped
  await w.flushed();
  assert.equal(kv.txns, 1);
  assert.deepEqual(w.keys().sort(), [`${P}a`, `${P}b`]);
  await w.close();
});

test('a key is never in two transactions at once: the last write wins', async () => {
  const kv = new CountingKv();
  const w = writer(kv, { maxOps: 1, maxInFlight: 4 });
  w.put(`${P}k`, '1');
  await new Promise((r) => setImmediate(r)); // first txn in flight
  w.put(`${P}k`, '2');
  w.put(`${P}other`, 'x');
  await w.flushed();
  assert.equal((await kv.get(`${P}k`))?.value, '2');
  await w.close();
});

test('failed transactions are retried with backoff and logged', async () => {
  const kv = new CountingKv();
  const logs: string[] = [];
  const w = writer(kv, { logger: createLogger({}, (l) => logs.push(l)) });
  kv.failTxns = 2;
  for (let i = 0; i < 200; i++) w.put(`${P}p${i}`, 'v');
  await w.flushed();
  assert.equal((await kv.list(P)).entries.length, 200);
  assert.equal(logs.filter((l) => l.includes('failed; retrying')).length, 2);
  await w.close();
});

test('transactions stay under maxBytes', async () => {
  const kv = new CountingKv();
  const w = writer(kv, { maxBytes: 10_000 });
  for (let i = 0; i < 20; i++) w.put(`${P}p${i}`, 'x'.repeat(3000));
  await w.flushed();
  assert.equal(kv.maxOps, 3);
  await w.close();
});

test('dropAll deletes the prefix after writes in flight and forgets what was queued', async () => {
  const kv = new CountingKv();
  const w = writer(kv);
  for (let i = 0; i < 300; i++) w.put(`${P}p${i}`, 'v');
  await new Promise((r) => setImmediate(r));
  await w.dropAll('weft/cache/c2/');
  assert.equal((await kv.list('weft/cache/c2/')).entries.length, 0);
  assert.equal(w.count('endpoints'), 0);
  assert.deepEqual(w.keys(), []);
  w.put(`${P}after`, 'v');
  await w.flushed();
  await until('written after drop', async () => (await kv.get(`${P}after`)) !== undefined);
  await w.close();
});

test('a put given the time its change was seen reports its propagation delay once committed (coalesced: the earliest time); list puts report none', async () => {
  const kv = new CountingKv();
  const delays: number[] = [];
  let committed = 0;
  const w = writer(kv, { onPropagated: (s) => void delays.push(s), onCommitted: () => void committed++ });
  w.put(`${P}listed`, '{"v":0}');
  const seen = performance.now() - 50;
  w.put(`${P}live`, '{"v":1}', seen);
  w.put(`${P}live`, '{"v":2}', performance.now());
  await w.flushed();
  assert.equal(delays.length, 1);
  assert.ok((delays[0] ?? 0) >= 0.05 && (delays[0] ?? 1) < 5, String(delays[0]));
  assert.ok(committed >= 1);
  await w.close();
});
