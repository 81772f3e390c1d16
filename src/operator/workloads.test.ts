import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../model/resources.ts';
import { podFromTemplate, templateHash } from './podTemplate.ts';
import { planWorkloads } from './workloads.ts';
import type { WorkloadInput } from './workloads.ts';
import type { WorkloadAction } from './workloadPlan.ts';
import { daemonSet, deployment, node, sequentialSuffixes, statefulSet, barePod } from './testFixtures.ts';

const NOW = '2025-02-01T00:00:00.000Z';

function input(over: Partial<WorkloadInput>): WorkloadInput {
  return { deployments: [], daemonSets: [], statefulSets: [], pods: [], nodes: [], now: NOW, randomSuffix: sequentialSuffixes(), ...over };
}

function summary(actions: readonly WorkloadAction[]): string[] {
  return actions.map((a) => (a.type === 'createPod' ? `+${a.pod.metadata.name}${a.pod.spec.nodeName === undefined ? '' : `@${a.pod.spec.nodeName}`}` : `-${a.name}`));
}

void test('a Deployment gets `replicas` pods with the template labels and an owner reference', () => {
  const d = deployment('web', 3);
  const plan = planWorkloads(input({ deployments: [d] }));
  assert.deepEqual(summary(plan.actions), ['+web-aaaa0', '+web-aaaa1', '+web-aaaa2']);
  const first = plan.actions[0];
  assert.ok(first?.type === 'createPod');
  assert.deepEqual(first.pod.metadata.labels, { app: 'web' });
  assert.deepEqual(first.pod.metadata.ownerReferences, [{ kind: 'Deployment', name: 'web' }]);
  assert.equal(first.pod.metadata.creationTimestamp, NOW);
  assert.equal(first.pod.spec.nodeName, undefined);
  assert.match(first.pod.metadata.name, /^web-[a-z0-9]{5}$/);
});

function podsOf(owner: Parameters<typeof podFromTemplate>[0], names: string[], times?: string[]): Pod[] {
  return names.map((n, i) => podFromTemplate(owner, n, templateHash(owner.spec.template), times?.[i] ?? `2025-01-0${i + 1}T00:00:00.000Z`));
}

void test('steady state: nothing to do', () => {
  const d = deployment('web', 2);
  assert.deepEqual(planWorkloads(input({ deployments: [d], pods: podsOf(d, ['web-a', 'web-b']) })).actions, []);
});

void test('scale down deletes the newest extra pods first', () => {
  const d = deployment('web', 1);
  const pods = podsOf(d, ['web-old', 'web-mid', 'web-new']);
  assert.deepEqual(summary(planWorkloads(input({ deployments: [d], pods })).actions), ['-web-mid', '-web-new'].sort().reverse());
});

void test('scale up adds pods, never reusing a name', () => {
  const d = deployment('web', 3);
  const pods = podsOf(d, ['web-aaaa0']);
  assert.deepEqual(summary(planWorkloads(input({ deployments: [d], pods })).actions), ['+web-aaaa1', '+web-aaaa2']);
});

void test('a changed template replaces the pods', () => {
  const old = deployment('web', 1, 'v1');
  const plan = planWorkloads(input({ deployments: [deployment('web', 1, 'v2')], pods: podsOf(old, ['web-x']) }));
  assert.deepEqual(summary(plan.actions), ['-web-x', '+web-aaaa0']);
});

void test('pods whose owner is gone are deleted; bare pods are left alone', () => {
  const d = deployment('web', 1);
  const plan = planWorkloads(input({ pods: [...podsOf(d, ['web-x']), barePod('mine')] }));
  assert.deepEqual(summary(plan.actions), ['-web-x']);
  assert.match((plan.actions[0] as { reason: string }).reason, /owner default\/Deployment\/web is gone/);
});

void test('owned pods on a node that is gone are deleted and replaced', () => {
  const d = deployment('web', 1);
  const pods = podsOf(d, ['web-x']).map((p) => ({ ...p, spec: { ...p.spec, nodeName: 'gone' } }));
  assert.deepEqual(summary(planWorkloads(input({ deployments: [d], pods, nodes: [node('n1', '10.0.0.0/24')] })).actions), ['-web-x', '+web-aaaa0']);
});

void test('a StatefulSet gets ordinal names and loses the highest ordinals on scale down', () => {
  assert.deepEqual(summary(planWorkloads(input({ statefulSets: [statefulSet('db', 3)] })).actions), ['+db-0', '+db-1', '+db-2']);
  const s = statefulSet('db', 1);
  const pods = podsOf(s, ['db-0', 'db-1', 'db-2'], ['2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z']);
  assert.deepEqual(summary(planWorkloads(input({ statefulSets: [s], pods })).actions), ['-db-2', '-db-1']);
});

void test('a StatefulSet fills a missing ordinal and does not take a foreign pod name', () => {
  const s = statefulSet('db', 3);
  const plan = planWorkloads(input({ statefulSets: [s], pods: [...podsOf(s, ['db-0', 'db-2']), barePod('db-1')] }));
  assert.deepEqual(summary(plan.actions), []);
  assert.match(plan.problems.join(), /pod db-1 exists and is not owned by it/);
  assert.deepEqual(summary(planWorkloads(input({ statefulSets: [s], pods: podsOf(s, ['db-0', 'db-2']) })).actions), ['+db-1']);
});

void test('a StatefulSet pod with an old template is deleted first, recreated later', () => {
  const plan = planWorkloads(input({ statefulSets: [statefulSet('db', 1, 'v2')], pods: podsOf(statefulSet('db', 1, 'v1'), ['db-0']) }));
  assert.deepEqual(summary(plan.actions), ['-db-0']);
});

void test('a DaemonSet runs one pod on every node that has a PodCIDR', () => {
  const ds = daemonSet('echo');
  const nodes = [node('n2', '10.0.1.0/24'), node('n1', '10.0.0.0/24'), node('new')];
  assert.deepEqual(summary(planWorkloads(input({ daemonSets: [ds], nodes })).actions), ['+echo-aaaa0@n1', '+echo-aaaa1@n2']);
});

void test('DaemonSet pods follow nodes: extras and pods of departed nodes are deleted', () => {
  const ds = daemonSet('echo');
  const on = (name: string, nodeName: string, t: string): Pod => {
    const p = podFromTemplate(ds, name, templateHash(ds.spec.template), t, nodeName);
    return p;
  };
  const pods = [on('echo-a', 'n1', '2025-01-01T00:00:00.000Z'), on('echo-b', 'n1', '2025-01-02T00:00:00.000Z'), on('echo-c', 'gone', '2025-01-01T00:00:00.000Z')];
  const plan = planWorkloads(input({ daemonSets: [ds], pods, nodes: [node('n1', '10.0.0.0/24'), node('n2', '10.0.1.0/24')] }));
  assert.deepEqual(summary(plan.actions).sort(), ['+echo-aaaa0@n2', '-echo-b', '-echo-c']);
});
