import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTrigger } from './trigger.ts';

test('coalesces bursts and never overlaps runs', async () => {
  let runs = 0;
  let active = 0;
  let maxActive = 0;
  const t = createTrigger(
    async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      runs++;
      await sleep(20);
      active--;
    },
    5,
    () => undefined,
  );
  for (let i = 0; i < 10; i++) t.trigger();
  await sleep(10);
  t.trigger(); // during the run: exactly one more
  await t.idle();
  assert.equal(runs, 2);
  assert.equal(maxActive, 1);
  t.close();
});

test('an error is reported and the next trigger runs again', async () => {
  const errors: unknown[] = [];
  let calls = 0;
  const t = createTrigger(
    () => {
      calls++;
      return calls === 1 ? Promise.reject(new Error('boom')) : Promise.resolve();
    },
    1,
    (e) => errors.push(e),
  );
  t.trigger();
  await t.idle();
  t.trigger();
  await t.idle();
  assert.equal(calls, 2);
  assert.equal(errors.length, 1);
  t.close();
});
