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

test('a trigger during a run runs exactly one more run after it, never concurrently', async () => {
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
    1,
    (e) => assert.fail(String(e)),
  );
  t.trigger();
  await sleep(8);
  t.trigger();
  t.trigger();
  await sleep(60);
  assert.equal(runs, 2);
  assert.equal(maxActive, 1);
  t.close();
});

test('errors go to onError and the trigger keeps working; idle after close waits for the run', async () => {
  const errors: unknown[] = [];
  let runs = 0;
  const t = createTrigger(
    async () => {
      runs++;
      await sleep(10);
      if (runs === 1) throw new Error('boom');
    },
    1,
    (e) => errors.push(e),
  );
  t.trigger();
  await sleep(20);
  t.trigger();
  await sleep(3);
  t.close();
  await t.idle();
  assert.equal(runs, 2);
  assert.equal(errors.length, 1);
  t.trigger();
  await sleep(10);
  assert.equal(runs, 2, 'no run after close');
});

test('quiet() resolves after a run that found nothing to do, and on close', async () => {
  let work = 2;
  let runs = 0;
  const t = createTrigger(
    () => {
      runs++;
      if (work === 0) return Promise.resolve('quiet' as const);
      work--;
      t.trigger(); // more to do: run again
      return Promise.resolve();
    },
    1,
    (e) => assert.fail(String(e)),
  );
  await t.quiet();
  assert.equal(runs, 3);
  const never = createTrigger(() => Promise.resolve(), 1, () => undefined);
  const waiting = never.quiet();
  await sleep(10);
  never.close();
  await waiting;
  t.close();
});

test('a burst of triggers runs one pass', async () => {
  let runs = 0;
  const t = createTrigger(() => Promise.resolve(void runs++), 5, (e) => assert.fail(String(e)));
  for (let i = 0; i < 10; i++) t.trigger();
  await sleep(30);
  assert.equal(runs, 1);
  t.close();
});
