import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { withFileLock } from './lock.ts';
import { recordProcess } from '../util/proc.ts';
import { isWeftError } from '../errors.ts';

void test('serialises holders and releases the file', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'weft-lock-'));
  const file = path.join(dir, 'lock');
  try {
    const order: string[] = [];
    await Promise.all([
      withFileLock(file, async () => {
        order.push('a+');
        await sleep(50);
        order.push('a-');
      }),
      withFileLock(file, () => {
        order.push('b+');
        order.push('b-');
      }),
    ]);
    assert.ok(order.join() === 'a+,a-,b+,b-' || order.join() === 'b+,b-,a+,a-', order.join());
    assert.equal(existsSync(file), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('takes over a lock whose owner is gone; times out on a live owner', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'weft-lock-'));
  const file = path.join(dir, 'lock');
  try {
    writeFileSync(file, JSON.stringify({ pid: process.pid, startTime: 'not-the-real-one' }));
    assert.equal(await withFileLock(file, () => 7, { timeoutMs: 1000 }), 7);
    writeFileSync(file, JSON.stringify(recordProcess(process.pid)));
    await assert.rejects(
      withFileLock(file, () => 7, { timeoutMs: 200 }),
      (e: unknown) => isWeftError(e, 'Timeout') && e.message.includes(String(process.pid)),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
