import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Limiter } from './limiter.ts';

test('at most max holders; waiters run in order as slots are released', async () => {
  const l = new Limiter(2);
  const order: number[] = [];
  const r1 = await l.acquire();
  const r2 = await l.acquire();
  const third = l.acquire().then((r) => {
    order.push(3);
    return r;
  });
  const fourth = l.acquire().then((r) => {
    order.push(4);
    return r;
  });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(order, []);
  r1();
  r1(); // idempotent
  const r3 = await third;
  assert.deepEqual(order, [3]);
  assert.equal(l.held, 2);
  r2();
  const r4 = await fourth;
  r3();
  r4();
  assert.equal(l.held, 0);
});
