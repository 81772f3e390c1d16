import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { clusterStateFromPlan, findProcess, labDir, labStatePath, readLabState, writeLabState } from './state.ts';
import { removeLabFilesIfEmpty, setClusterPhase, setProcessRecord, updateLabState } from './store.ts';
import { planCluster, planUnderlay } from './plan.ts';
import { isWeftError } from '../errors.ts';

let home: string;
const saved = process.env['WEFT_HOME'];

beforeEach(() => {
  home = mkdtempSync(path.join(tmpdir(), 'weft-lab-state-'));
  process.env['WEFT_HOME'] = home;
});
afterEach(() => {
  if (saved === undefined) delete process.env['WEFT_HOME'];
  else process.env['WEFT_HOME'] = saved;
  rmSync(home, { recursive: true, force: true });
});

function samplePlan() {
  return planCluster(
    { name: 'c1', id: 1, nodes: 1, podCIDRs: ['10.1.0.0/16'], serviceCIDR: '10.101.0.0/16', routing: 'tunnel', nodeCidrMaskSize: 24 },
    planUnderlay('172.30.0.0/16'),
    { labDir: labDir(), nodeBin: '/node', cliEntry: '/main.ts', etcdBin: '/usr/bin/etcd' },
  );
}

void test('a missing state reads as empty, without creating files', () => {
  assert.deepEqual(readLabState(), { version: 1, underlay: null, clusters: [] });
  assert.equal(existsSync(labDir()), false);
});

void test('state round-trips; process records and phases update under the lock', async () => {
  const s = readLabState();
  s.clusters.push(clusterStateFromPlan(samplePlan(), '2024-01-01T00:00:00Z'));
  writeLabState(s);
  assert.equal(readLabState().clusters[0]?.phase, 'creating');
  await setProcessRecord('c1', 'n1', 'agent', { pid: 42, startTime: '99' });
  await setClusterPhase('c1', 'ready');
  const c = readLabState().clusters[0]!;
  assert.equal(c.phase, 'ready');
  assert.deepEqual([findProcess(c, 'n1', 'agent').pid, findProcess(c, 'n1', 'agent').startTime], [42, '99']);
  assert.equal(existsSync(path.join(labDir(), 'lock')), false, 'lock released');
  await assert.rejects(setProcessRecord('c1', 'n9', 'agent', null), (e: unknown) => isWeftError(e, 'LabState'));
  assert.throws(() => findProcess(c, 'n9', 'agent'), (e: unknown) => isWeftError(e, 'NotFound') && e.message.includes('cp, n1'));
  assert.throws(() => findProcess(c, 'cp', 'agent'), (e: unknown) => isWeftError(e, 'NotFound') && e.message.includes('etcd, operator'));
});

void test('an invalid state file is a LabState error naming the file', () => {
  mkdirSync(labDir(), { recursive: true });
  writeFileSync(labStatePath(), '{"version":2}');
  assert.throws(() => readLabState(), (e: unknown) => isWeftError(e, 'LabState') && e.message.includes(labStatePath()));
  writeFileSync(labStatePath(), '{');
  assert.throws(() => readLabState(), (e: unknown) => isWeftError(e, 'LabState'));
});

void test('concurrent updates do not lose writes', async () => {
  writeLabState(readLabState());
  await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      updateLabState((s) => {
        s.clusters.push({ ...clusterStateFromPlan(samplePlan(), 'x'), name: `c${i}` });
      }),
    ),
  );
  assert.equal(readLabState().clusters.length, 10);
});

void test('with nothing left, the lab files go', async () => {
  await updateLabState(() => undefined);
  assert.ok(existsSync(labStatePath()));
  removeLabFilesIfEmpty();
  assert.equal(existsSync(labDir()), false);
});
