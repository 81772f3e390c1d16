import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planOperator } from './plan.ts';
import type { OperatorSnapshot } from './snapshot.ts';
import { barePod, daemonSet, deployment, node, sequentialSuffixes } from './testFixtures.ts';

const empty: OperatorSnapshot = { config: undefined, nodes: [], allocations: new Map(), pods: [], deployments: [], daemonSets: [], statefulSets: [] };
const config = { id: 1, name: 'c1', podCIDRs: ['10.1.0.0/16'], serviceCIDR: '10.11.0.0/16', routingMode: 'native' as const, nodeCidrMaskSize: 24, capabilities: [] };

void test('a pass: IPAM first, then new pods created already bound, spread over nodes', () => {
  const s: OperatorSnapshot = {
    ...empty,
    config,
    nodes: [node('n1', '10.1.0.0/24'), node('n2', '10.1.1.0/24'), node('n3')],
    allocations: new Map([['10.1.0.0/24', 'n1'], ['10.1.1.0/24', 'n2']]),
    deployments: [deployment('web', 3)],
    pods: [barePod('loose')],
  };
  const plan = planOperator(s, '2025-02-01T00:00:00.000Z', sequentialSuffixes());
  const text = plan.actions.map((a) => {
    switch (a.type) {
      case 'assignPodCidr':
      case 'recordPodCidr':
      case 'releasePodCidr':
        return `${a.type} ${a.node} ${a.cidr}`;
      case 'createPod':
        return `create ${a.pod.metadata.name}@${a.pod.spec.nodeName ?? '-'}`;
      case 'deletePod':
        return `delete ${a.name}`;
      case 'bindPod':
        return `bind ${a.name}@${a.node}`;
    }
  });
  // the bare pod is oldest, so it is placed first
  assert.deepEqual(text, ['assignPodCidr n3 10.1.2.0/24', 'create web-aaaa0@n2', 'create web-aaaa1@n1', 'create web-aaaa2@n2', 'bind loose@n1']);
});

void test('without a cluster config: no IPAM, a problem is reported, workloads still run', () => {
  const plan = planOperator({ ...empty, nodes: [node('n1')], daemonSets: [daemonSet('ds')] }, 'now', sequentialSuffixes());
  assert.deepEqual(plan.actions, []);
  assert.match(plan.problems.join(), /waiting for the cluster config/);
});
