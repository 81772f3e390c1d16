import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatProgressLine, recordingProgress, seconds } from './progress.ts';

void test('progress lines', () => {
  assert.equal(formatProgressLine('ok', 'etcd started'), '✅ etcd started');
  assert.equal(formatProgressLine('fail', 'etcd died'), '❌ etcd died');
  assert.equal(formatProgressLine('info', 'x'), '   x');
  const p = recordingProgress();
  p.ok('a');
  p.fail('b');
  assert.deepEqual(p.lines, ['✅ a', '❌ b']);
  assert.equal(seconds(1234), '1.2 s');
});
