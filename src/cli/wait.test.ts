import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWaitFor, readyPods } from './wait.ts';

void test('ready once at least one pod is selected and every one is Running', () => {
  assert.equal(readyPods([]), undefined);
  assert.equal(readyPods([{ name: 'a', phase: 'Running' }, { name: 'b', phase: 'ContainerCreating' }]), undefined);
  assert.deepEqual(readyPods([{ name: 'b', phase: 'Running' }, { name: 'a', phase: 'Running' }]), ['a', 'b']);
});

void test('--for accepts condition=Ready only', () => {
  assert.equal(parseWaitFor('condition=Ready'), 'Ready');
  assert.equal(parseWaitFor('condition=ready'), 'Ready');
  assert.throws(() => parseWaitFor('delete'), /--for "delete": only condition=Ready/);
});
