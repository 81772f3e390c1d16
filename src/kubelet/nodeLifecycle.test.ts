import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../util/log.ts';
import { FakeKubeApi } from './fakeKubeApi.ts';
import { KubeNode } from './nodeLifecycle.ts';

const facts = { name: 'n1', ip: '172.30.1.2', cpus: 2, memoryBytes: 1 << 30, maxPods: 110, bootId: 'b', machineId: 'm', kernelVersion: '6.1', osImage: 'Debian', kubeletVersion: 'v1' };
const logger = createLogger({ component: 'test', level: 'error' });

void test('register creates the Node, reports NotReady and takes the lease; ready flips the condition', async () => {
  const api = new FakeKubeApi();
  let now = new Date('2026-01-01T00:00:00Z');
  const node = new KubeNode(api, facts, logger, () => now);
  await node.register();
  assert.deepEqual(api.calls, ['createNode n1', 'patchNodeStatus n1', 'createLease']);
  assert.equal(api.nodes.get('n1')?.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'False');
  assert.equal(api.leases.get('kube-node-lease/n1')?.metadata?.ownerReferences?.[0]?.uid, 'uid-n1');
  await node.setReady(true);
  assert.equal(api.nodes.get('n1')?.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');

  api.calls.length = 0;
  now = new Date('2026-01-01T00:00:10Z');
  await node.heartbeat();
  assert.deepEqual(api.calls, ['replaceLease'], 'within a minute only the lease is renewed');
  assert.equal(api.leases.get('kube-node-lease/n1')?.spec?.renewTime?.getTime(), now.getTime());
  now = new Date('2026-01-01T00:01:00Z');
  await node.heartbeat();
  assert.deepEqual(api.calls, ['replaceLease', 'replaceLease', 'patchNodeStatus n1']);
});

void test('an existing Node is kept (agent restart); the PodCIDR is awaited', async () => {
  const api = new FakeKubeApi();
  api.nodes.set('n1', { metadata: { name: 'n1', uid: 'old' }, spec: {} });
  const node = new KubeNode(api, facts, logger);
  await node.register();
  assert.equal(api.calls.includes('createNode n1'), false);
  const waiting = node.waitForPodCidr(5);
  setTimeout(() => {
    const n = api.nodes.get('n1');
    if (n?.spec !== undefined) n.spec.podCIDR = '10.235.1.0/24';
  }, 30);
  assert.equal(await waiting, '10.235.1.0/24');
});
