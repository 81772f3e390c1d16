import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UndoLog } from './undo.ts';

test('rollback undoes what was recorded, newest first, once', async () => {
  const log = new UndoLog();
  const done: string[] = [];
  log.created('address 10.0.0.2', () => (done.push('address'), Promise.resolve()));
  log.created('host veth wf1', () => (done.push('veth'), Promise.resolve()));
  assert.deepEqual(log.recorded, ['address 10.0.0.2', 'host veth wf1']);
  await log.rollback(() => assert.fail('no warning expected'));
  assert.deepEqual(done, ['veth', 'address']);
  assert.deepEqual(log.recorded, []);
  await log.rollback(() => assert.fail('no warning expected'));
  assert.deepEqual(done, ['veth', 'address'], 'a second rollback undoes nothing again');
});

test('an empty log undoes nothing', async () => {
  const warnings: string[] = [];
  await new UndoLog().rollback((m) => warnings.push(m));
  assert.deepEqual(warnings, []);
});

test('a failing undo is reported by name and the older ones still run', async () => {
  const log = new UndoLog();
  const done: string[] = [];
  log.created('address 10.0.0.2', () => (done.push('address'), Promise.resolve()));
  log.created('host veth wf1', () => Promise.reject(new Error('Device or resource busy')));
  const warnings: string[] = [];
  await log.rollback((m) => warnings.push(m));
  assert.deepEqual(done, ['address']);
  assert.deepEqual(warnings, ['undo: cannot remove host veth wf1: Device or resource busy']);
});
