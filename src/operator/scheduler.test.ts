import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planScheduling } from './scheduler.ts';
import { barePod, node } from './testFixtures.ts';

void test('pods go to the least-loaded ready node with a PodCIDR, ties by name', () => {
  const nodes = [node('b', '10.0.1.0/24'), node('a', '10.0.0.0/24'), node('notready', '10.0.2.0/24', false), node('nocidr')];
  const pods = [barePod('p1'), barePod('p2'), barePod('p3'), barePod('x', 'b')];
  const plan = planScheduling(nodes, pods);
  assert.deepEqual(plan.actions.map((a) => `${a.name}@${a.node}`), ['p1@a', 'p2@a', 'p3@b']);
  assert.deepEqual(plan.unschedulable, []);
});

void test('oldest pods are placed first; pods already bound are left alone', () => {
  const plan = planScheduling([node('a', '10.0.0.0/24')], [barePod('new', undefined, '2025-01-02T00:00:00.000Z'), barePod('old', undefined, '2025-01-01T00:00:00.000Z'), barePod('bound', 'elsewhere')]);
  assert.deepEqual(plan.actions.map((a) => a.name), ['old', 'new']);
});

void test('no eligible node: the pods are reported unschedulable', () => {
  const plan = planScheduling([node('a'), node('b', '10.0.0.0/24', false)], [barePod('p')]);
  assert.deepEqual(plan.actions, []);
  assert.deepEqual(plan.unschedulable, ['default/p']);
});
