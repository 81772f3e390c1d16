import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readRecordedPods } from './pods.ts';

void test('reads the pods an agent recorded, reporting unreadable files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'weft-pods-'));
  try {
    assert.deepEqual(readRecordedPods(dir), { pods: [], invalid: [] });
    mkdirSync(path.join(dir, 'pods'));
    writeFileSync(
      path.join(dir, 'pods', 'default_a.json'),
      JSON.stringify({ namespace: 'default', name: 'a', netns: 'wf-c1_n1_pabc', processes: [{ pid: 12, startTime: '34', container: 'echo' }] }),
    );
    writeFileSync(path.join(dir, 'pods', 'default_b.json'), '{"netns": 3}');
    writeFileSync(path.join(dir, 'pods', 'default_a.log'), 'not a record');
    const r = readRecordedPods(dir);
    assert.deepEqual(r.pods, [{ file: path.join(dir, 'pods', 'default_a.json'), netns: 'wf-c1_n1_pabc', processes: [{ pid: 12, startTime: '34' }] }]);
    assert.deepEqual(r.invalid.map((i) => path.basename(i.file)), ['default_b.json']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
