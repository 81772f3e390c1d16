import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LEASE_DURATION_SECONDS, leaseDue, nodeObject, nodeStatus, renewedLease, KUBELET_PORT } from './nodeObject.ts';

const facts = { name: 'n1', ip: '172.30.1.2', cpus: 2, memoryBytes: 4 * 1024 * 1024 * 1024, maxPods: 110, bootId: 'b', machineId: 'm', kernelVersion: '6.1', osImage: 'Debian', kubeletVersion: 'v1.20.2-weft' };

void test('the node registers with its hostname label and reports InternalIP, capacity and the kubelet port', () => {
  assert.equal(nodeObject(facts).metadata?.labels?.['kubernetes.io/hostname'], 'n1');
  const st = nodeStatus(facts, true, new Date(0), []);
  assert.deepEqual(st.addresses?.[0], { type: 'InternalIP', address: '172.30.1.2' });
  assert.equal(st.capacity?.['cpu'], '2');
  assert.equal(st.allocatable?.['memory'], '4194304Ki');
  assert.equal(st.allocatable?.['pods'], '110');
  assert.equal(st.daemonEndpoints?.kubeletEndpoint?.Port, KUBELET_PORT);
  assert.equal(st.nodeInfo?.kubeletVersion, 'v1.20.2-weft');
});

void test('Ready condition: heartbeat moves, transition time only on a change', () => {
  const t0 = new Date('2026-01-01T00:00:00Z');
  const t1 = new Date('2026-01-01T00:01:00Z');
  const notReady = nodeStatus(facts, false, t0, []).conditions ?? [];
  assert.equal(notReady.find((c) => c.type === 'Ready')?.status, 'False');
  const ready = nodeStatus(facts, true, t1, notReady).conditions?.find((c) => c.type === 'Ready');
  assert.deepEqual([ready?.status, ready?.lastTransitionTime, ready?.lastHeartbeatTime], ['True', t1, t1]);
  const t2 = new Date('2026-01-01T00:02:00Z');
  const still = nodeStatus(facts, true, t2, [ready ?? { type: 'Ready', status: 'True' }]).conditions?.find((c) => c.type === 'Ready');
  assert.deepEqual([still?.lastTransitionTime, still?.lastHeartbeatTime], [t1, t2]);
});

void test('the lease: held by the node, 40 s, owned by the Node, renewed every 10 s', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const fresh = renewedLease('n1', 'uid-1', undefined, now);
  assert.equal(fresh.metadata?.namespace, 'kube-node-lease');
  assert.equal(fresh.spec?.holderIdentity, 'n1');
  assert.equal(fresh.spec?.leaseDurationSeconds, LEASE_DURATION_SECONDS);
  assert.equal(fresh.spec?.renewTime?.getTime(), now.getTime());
  // MicroTime on the wire: six fractional digits (the API server refuses three)
  assert.equal(JSON.stringify(fresh.spec?.renewTime), '"2026-01-01T00:00:00.000000Z"');
  assert.equal(fresh.metadata?.ownerReferences?.[0]?.uid, 'uid-1');
  const renewed = renewedLease('n1', 'uid-1', { metadata: { name: 'n1', resourceVersion: '7' } }, now);
  assert.equal(renewed.metadata?.resourceVersion, '7');
  assert.equal(leaseDue(undefined, now), true);
  assert.equal(leaseDue(new Date(now.getTime() - 9_999), now), false);
  assert.equal(leaseDue(new Date(now.getTime() - 10_000), now), true);
});
