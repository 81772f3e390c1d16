import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import { kubePodStatus, statusSignature } from './podStatus.ts';

const pod: V1Pod = {
  metadata: { name: 'p', namespace: 'default', uid: 'u1' },
  spec: { containers: [{ name: 'a', image: 'img-a' }, { name: 'b', image: 'img-b' }] },
  status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: new Date('2026-01-01T00:00:00Z') }] },
};
const now = new Date('2026-01-02T00:00:00Z');

void test('a running pod is Running and Ready with its IP, host IP and containers', () => {
  const st = kubePodStatus(pod, { phase: 'Running', podIP: '10.235.1.5', startedAt: '2026-01-01T12:00:00.000Z', restarts: 2, message: '' }, '172.30.1.2', now);
  assert.equal(st.phase, 'Running');
  assert.equal(st.podIP, '10.235.1.5');
  assert.deepEqual(st.podIPs, [{ ip: '10.235.1.5' }]);
  assert.equal(st.hostIP, '172.30.1.2');
  assert.deepEqual(st.conditions?.map((c) => [c.type, c.status]), [['Initialized', 'True'], ['Ready', 'True'], ['ContainersReady', 'True'], ['PodScheduled', 'True']]);
  // the scheduler's transition time is kept
  assert.deepEqual(st.conditions?.find((c) => c.type === 'PodScheduled')?.lastTransitionTime, new Date('2026-01-01T00:00:00Z'));
  assert.deepEqual(st.containerStatuses?.map((c) => [c.name, c.ready, c.started, c.restartCount, c.state?.running?.startedAt?.toISOString()]), [
    ['a', true, true, 2, '2026-01-01T12:00:00.000Z'],
    ['b', true, true, 2, '2026-01-01T12:00:00.000Z'],
  ]);
});

void test('a pod being created is Pending, not ready, waiting with the reason and message', () => {
  const st = kubePodStatus(pod, { phase: 'ContainerCreating', podIP: '', startedAt: '', restarts: 0, message: 'configmap "x" not found' }, '172.30.1.2', now);
  assert.equal(st.phase, 'Pending');
  assert.equal(st.podIP, undefined);
  assert.equal(st.conditions?.find((c) => c.type === 'Ready')?.status, 'False');
  assert.equal(st.conditions?.find((c) => c.type === 'Ready')?.reason, 'ContainersNotReady');
  assert.deepEqual(st.containerStatuses?.[0]?.state, { waiting: { reason: 'ContainerCreating', message: 'configmap "x" not found' } });
  const failed = kubePodStatus(pod, { phase: 'Failed', podIP: '', startedAt: '', restarts: 0, message: 'boom' }, '172.30.1.2', now);
  assert.equal(failed.phase, 'Pending');
  assert.equal(failed.containerStatuses?.[0]?.state?.waiting?.reason, 'CreateContainerError');
});

void test('the signature ignores times but sees every change that matters', () => {
  const base = { phase: 'Running' as const, podIP: '10.235.1.5', startedAt: '2026-01-01T12:00:00.000Z', restarts: 0, message: '' };
  const a = kubePodStatus(pod, base, '172.30.1.2', now);
  const b = kubePodStatus(pod, base, '172.30.1.2', new Date('2026-01-03T00:00:00Z'));
  assert.equal(statusSignature(a), statusSignature(b));
  assert.notEqual(statusSignature(a), statusSignature(kubePodStatus(pod, { ...base, restarts: 1 }, '172.30.1.2', now)));
});
