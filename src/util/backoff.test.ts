import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff, backoffDelay, jitteredDelay } from './backoff.ts';

test('delays double from 1 s to 30 s, jittered down to half', () => {
  const hi = { minMs: 1000, maxMs: 30_000, random: () => 0.999999 };
  const lo = { ...hi, random: () => 0 };
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 40].map((a) => jitteredDelay(a, hi)), [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  assert.deepEqual([0, 5].map((a) => jitteredDelay(a, lo)), [500, 15000]);
});

test('Backoff counts attempts and resets', () => {
  const b = new Backoff({ minMs: 10, maxMs: 100, random: () => 0.999999 });
  assert.deepEqual([b.next(), b.next(), b.next()], [10, 20, 40]);
  b.reset();
  assert.equal(b.next(), 10);
});

test('without jitter the delays are the plain doubling sequence', () => {
  assert.deepEqual([0, 1, 2, 3, 10, 100].map((a) => backoffDelay(a, 100, 5000)), [100, 200, 400, 800, 5000, 5000]);
  const b = new Backoff({ minMs: 200, maxMs: 10_000, jitter: false });
  assert.deepEqual([b.next(), b.next(), b.next(), b.next(), b.next(), b.next(), b.next()], [200, 400, 800, 1600, 3200, 6400, 10_000]);
});
