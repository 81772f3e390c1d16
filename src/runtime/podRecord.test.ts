import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MAX_READABLE_STEM, podFileStem, podLogPath, readPodRecords, removePodRecord, writePodRecord } from './podRecord.ts';
import type { PodRecord } from './podRecord.ts';
import { podVolumesDir } from './podVolumes.ts';

const LONG_NS = `ns-${'n'.repeat(60)}`; // 63: the longest namespace
const LONG_POD = `${'p'.repeat(63)}.${'q'.repeat(63)}.${'r'.repeat(63)}.${'s'.repeat(61)}`; // 253: the longest pod name

void test('short names keep the readable <ns>_<pod> stem', () => {
  assert.equal(podFileStem('default', 'web-0'), 'default_web-0');
  const edge = 'a'.repeat(MAX_READABLE_STEM - 'default_'.length);
  assert.equal(podFileStem('default', edge), `default_${edge}`);
});

void test('Kubernetes-long names get a short stable stem that tells pods apart', () => {
  assert.equal(LONG_NS.length, 63);
  assert.equal(LONG_POD.length, 253);
  const stem = podFileStem(LONG_NS, LONG_POD);
  assert.ok(stem.length <= 100, stem);
  assert.equal(stem, podFileStem(LONG_NS, LONG_POD), 'stable');
  assert.match(stem, /^ns-n{37}_p{40}_[0-9a-f]{16}$/);
  assert.notEqual(podFileStem(LONG_NS, `${LONG_POD.slice(0, -1)}t`), stem, 'names differing only at the end differ');
  // a shortened stem has two '_', a plain one has one: they never collide
  assert.equal(stem.split('_').length, 3);
});

void test('a pod with the longest namespace and name gets its record, log and volumes folder on a real file system', (t) => {
  const state = mkdtempSync(path.join(tmpdir(), 'weft-podrecord-'));
  t.after(() => rmSync(state, { recursive: true, force: true }));
  const rec: PodRecord = {
    namespace: LONG_NS,
    name: LONG_POD,
    netns: 'wf-c1_n1_pabc',
    containerId: 'f'.repeat(64),
    ip: '10.0.0.5',
    specHash: 'x',
    startedAt: new Date(0).toISOString(),
    restarts: 0,
    processes: [],
  };
  writePodRecord(state, rec);
  closeSync(openSync(podLogPath(state, LONG_NS, LONG_POD), 'a'));
  mkdirSync(podVolumesDir(state, LONG_NS, LONG_POD), { recursive: true });
  assert.deepEqual(readPodRecords(state), [rec]);
  removePodRecord(state, LONG_NS, LONG_POD);
  assert.deepEqual(readPodRecords(state), []);
  assert.equal(existsSync(podLogPath(state, LONG_NS, LONG_POD)), false);
});
