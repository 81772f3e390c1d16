import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { logTail, startDetached, stopRecorded } from './processes.ts';
import { isAlive } from '../util/proc.ts';
import { isWeftError } from '../errors.ts';

void test('starts detached with output in the log, stops by record', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'weft-proc-'));
  const log = path.join(dir, 'sub', 'p.log');
  try {
    const rec = await startDetached(['sh', '-c', 'echo hello; exec sleep 30'], log, 100);
    assert.ok(isAlive(rec));
    const sid = readFileSync(`/proc/${rec.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[3];
    assert.equal(Number(sid), rec.pid, 'own session');
    assert.equal(await stopRecorded(rec, 2000), 'stopped');
    assert.equal(isAlive(rec), false);
    assert.equal(await stopRecorded(rec), 'not-running');
    assert.equal(await stopRecorded(undefined), 'not-running');
    assert.equal(logTail(log), 'hello');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('a process that exits at once is an error quoting its log', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'weft-proc-'));
  const log = path.join(dir, 'p.log');
  try {
    await assert.rejects(
      startDetached(['sh', '-c', 'echo boom >&2; exit 3'], log, 200),
      (e: unknown) => isWeftError(e, 'CommandFailed') && e.message.includes('boom'),
    );
    await assert.rejects(startDetached(['/nonexistent/binary'], log, 100), (e: unknown) => isWeftError(e, 'CommandFailed'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
