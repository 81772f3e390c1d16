import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { DebouncedRunner } from './debouncedRunner.ts';

void test('a burst of triggers runs one pass', async () => {
  let runs = 0;
  const r = new DebouncedRunner(() => Promise.resolve(void runs++), 5, (e) => assert.fail(String(e)));
  for (let i = 0; i < 10; i++) r.trigger();
  await sleep(30);
  assert.equal(runs, 1);
  await r.close();
});

void test('a trigger during a pass runs exactly one more pass after it, never concurrently', async () => {
  let runs = 0;
  let active = 0;
  let maxActive = 0;
  const r = new DebouncedRunner(
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
  r.trigger();
  await sleep(8);
  r.trigger();
  r.trigger();
  await sleep(60);
  assert.equal(runs, 2);
  assert.equal(maxActive, 1);
  await r.close();
});

void test('errors go to onError and the runner keeps working; close waits for the pass', async () => {
  const errors: unknown[] = [];
  let runs = 0;
  const r = new DebouncedRunner(
    async () => {
      runs++;
      await sleep(10);
      if (runs === 1) throw new Error('boom');
    },
    1,
    (e) => errors.push(e),
  );
  r.trigger();
  await sleep(20);
  r.trigger();
  await sleep(3);
  await r.close();
  assert.equal(runs, 2);
  assert.equal(errors.length, 1);
  r.trigger();
  await sleep(10);
  assert.equal(runs, 2, 'no pass after close');
});
