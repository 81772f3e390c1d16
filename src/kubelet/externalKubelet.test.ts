import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../util/log.ts';
import { FakeKubeApi } from './fakeKubeApi.ts';
import { KubePodSource } from './kubePodSource.ts';
import { observedPods, observeKubeNode, podWhenKnown } from './externalKubelet.ts';

const logger = createLogger({ component: 'test' }, () => undefined);

void test('external kubelet: the PodCIDR is read from the Node, and nothing is written (no Node, Lease or status)', async () => {
  const api = new FakeKubeApi();
  api.nodes.set('w1', { metadata: { name: 'w1' }, spec: { podCIDR: '10.244.3.0/24' } });
  const seen = await observeKubeNode(api, 'w1', '192.0.2.10', logger);
  assert.equal(seen.podCIDR, '10.244.3.0/24');
  assert.deepEqual(api.calls, []);
  assert.equal(api.leases.size, 0);
});

void test('external kubelet: pods bound to the node are known by name but none is run, reported or deleted', async () => {
  const api = new FakeKubeApi();
  let changes = 0;
  const pods = observedPods(new KubePodSource({ api, node: 'w1', nodeIp: '192.0.2.10', logger, onChange: () => changes++ }));
  pods.start();
  api.setPod({ metadata: { name: 'echo-1', namespace: 'default', uid: 'u1', labels: { run: 'echo-1' } }, spec: { nodeName: 'w1', containers: [{ name: 'echo', image: 'nginx:1.25' }] } });
  api.setPod({ metadata: { name: 'gone', namespace: 'default', uid: 'u2', deletionTimestamp: new Date() }, spec: { nodeName: 'w1', containers: [{ name: 'c', image: 'busybox' }] } });
  assert.ok(changes > 0);
  assert.deepEqual(pods.values(), []);
  assert.deepEqual(pods.get('default', 'echo-1')?.metadata.labels, { run: 'echo-1' });
  assert.equal(pods.get('default', 'gone'), undefined);
  assert.ok(!('reportStatus' in pods) && !('afterReconcile' in pods));
  assert.deepEqual(api.calls, []);
  await pods.close();
});

void test('podWhenKnown: waits for a pod the watch delivers late, gives up after the timeout', async () => {
  let pod: string | undefined;
  setTimeout(() => (pod = 'p'), 30);
  assert.equal(await podWhenKnown(() => pod, 1000, 5), 'p');
  const t0 = Date.now();
  assert.equal(await podWhenKnown(() => undefined, 60, 5), undefined);
  assert.ok(Date.now() - t0 >= 60);
});
