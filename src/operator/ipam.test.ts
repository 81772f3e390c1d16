import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planIpam } from './ipam.ts';
import { node } from './testFixtures.ts';

const config = { podCIDRs: ['10.1.0.0/22'], nodeCidrMaskSize: 24 };

void test('new nodes get distinct blocks, in node-name order', () => {
  const plan = planIpam({ config, nodes: [node('b'), node('a')], allocations: new Map() });
  assert.deepEqual(plan.actions, [
    { type: 'assignPodCidr', node: 'a', cidr: '10.1.0.0/24' },
    { type: 'assignPodCidr', node: 'b', cidr: '10.1.1.0/24' },
  ]);
  assert.deepEqual(plan.problems, []);
});

void test('blocks in use (by a node or an allocation) are skipped', () => {
  const plan = planIpam({
    config,
    nodes: [node('a', '10.1.0.0/24'), node('b', '10.1.1.0/24'), node('c')],
    allocations: new Map([['10.1.0.0/24', 'a'], ['10.1.1.0/24', 'b']]),
  });
  assert.deepEqual(plan.actions, [{ type: 'assignPodCidr', node: 'c', cidr: '10.1.2.0/24' }]);
});

void test('steady state: nothing to do', () => {
  const plan = planIpam({ config, nodes: [node('a', '10.1.0.0/24')], allocations: new Map([['10.1.0.0/24', 'a']]) });
  assert.deepEqual(plan.actions, []);
});

void test('after a restart the allocations are rebuilt from the nodes podCIDRs', () => {
  const plan = planIpam({ config, nodes: [node('a', '10.1.2.0/24'), node('b')], allocations: new Map() });
  assert.deepEqual(plan.actions, [
    { type: 'recordPodCidr', node: 'a', cidr: '10.1.2.0/24' },
    { type: 'assignPodCidr', node: 'b', cidr: '10.1.0.0/24' },
  ]);
});

void test('a node that registers again with an empty podCIDR gets its recorded block back', () => {
  const plan = planIpam({ config, nodes: [node('a'), node('b')], allocations: new Map([['10.1.3.0/24', 'b']]) });
  assert.deepEqual(plan.actions, [
    { type: 'assignPodCidr', node: 'a', cidr: '10.1.0.0/24' },
    { type: 'assignPodCidr', node: 'b', cidr: '10.1.3.0/24' },
  ]);
});

void test('a deleted node releases its block, which is not reused in the same pass', () => {
  const plan = planIpam({ config, nodes: [node('c')], allocations: new Map([['10.1.0.0/24', 'gone']]) });
  assert.deepEqual(plan.actions, [
    { type: 'releasePodCidr', node: 'gone', cidr: '10.1.0.0/24' },
    { type: 'assignPodCidr', node: 'c', cidr: '10.1.1.0/24' },
  ]);
});

void test('an allocation whose node now uses another block is released', () => {
  const plan = planIpam({
    config,
    nodes: [node('a', '10.1.1.0/24')],
    allocations: new Map([['10.1.0.0/24', 'a'], ['10.1.1.0/24', 'a']]),
  });
  assert.deepEqual(plan.actions, [{ type: 'releasePodCidr', node: 'a', cidr: '10.1.0.0/24' }]);
});

void test('pool exhausted: the node waits and the problem is reported', () => {
  const nodes = ['a', 'b', 'c', 'd', 'e'].map((n) => node(n));
  const plan = planIpam({ config, nodes, allocations: new Map() });
  assert.equal(plan.actions.length, 4);
  assert.deepEqual(plan.problems, ['no free /24 block left in podCIDRs 10.1.0.0/22 for node e']);
});

void test('several pools are used in order; a bad pool is reported', () => {
  const plan = planIpam({
    config: { podCIDRs: ['10.9.0.0/25', 'nope', '10.2.0.0/24'], nodeCidrMaskSize: 24 },
    nodes: [node('a')],
    allocations: new Map(),
  });
  assert.deepEqual(plan.actions, [{ type: 'assignPodCidr', node: 'a', cidr: '10.2.0.0/24' }]);
  assert.equal(plan.problems.length, 2);
  assert.match(plan.problems.join('\n'), /10\.9\.0\.0\/25 is smaller than a node block/);
  assert.match(plan.problems.join('\n'), /podCIDR nope is invalid/);
});

void test('two nodes on one block is reported, never reassigned silently', () => {
  const plan = planIpam({
    config,
    nodes: [node('a', '10.1.0.0/24'), node('b', '10.1.0.0/24')],
    allocations: new Map([['10.1.0.0/24', 'a']]),
  });
  assert.deepEqual(plan.actions, []);
  assert.deepEqual(plan.problems, ['node b uses podCIDR 10.1.0.0/24, which is allocated to node a']);
});
