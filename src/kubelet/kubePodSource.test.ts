import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import { createLogger } from '../util/log.ts';
import { FakeKubeApi } from './fakeKubeApi.ts';
import { KubePodSource, kubeConfigMapSource } from './kubePodSource.ts';

const logger = createLogger({ component: 'test' }, () => undefined);
const pod = (name: string, node: string, extra: Partial<V1Pod['metadata']> = {}): V1Pod => ({
  metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: { app: 'a' }, ...extra },
  spec: { nodeName: node, containers: [{ name: 'c', image: 'img', ports: [{ containerPort: 80 }] }] },
  status: { phase: 'Pending' },
});

function setup(): { api: FakeKubeApi; source: KubePodSource; changes: () => number } {
  const api = new FakeKubeApi();
  let n = 0;
  const source = new KubePodSource({ api, node: 'n1', nodeIp: '172.30.1.2', logger, onChange: () => n++, now: () => new Date('2026-01-01T00:00:00Z') });
  source.start();
  return { api, source, changes: () => n };
}

void test('only this node’s pods, translated; watch events trigger the agent', () => {
  const { api, source, changes } = setup();
  api.setPod(pod('a', 'n1'));
  api.setPod(pod('b', 'n2'));
  assert.deepEqual(source.values().map((p) => p.metadata.name), ['a']);
  assert.equal(source.get('default', 'a')?.spec.containers[0]?.image, 'img');
  assert.equal(changes(), 2);
});

void test('status goes to the API once per change', async () => {
  const { api, source } = setup();
  api.setPod(pod('a', 'n1'));
  const stored = source.get('default', 'a');
  assert.ok(stored !== undefined);
  const running = { phase: 'Running' as const, podIP: '10.235.1.9', pids: [1], netns: 'x', startedAt: '2026-01-01T00:00:00.000Z', restarts: 0, message: '' };
  await source.reportStatus(stored, running);
  await source.reportStatus(stored, running);
  assert.equal(api.podStatuses.length, 1);
  assert.equal(api.pods.get('default/a')?.status?.podIP, '10.235.1.9');
  await source.reportStatus(stored, { ...running, restarts: 1 });
  assert.equal(api.podStatuses.length, 2);
});

void test('graceful deletion: a deleting pod is not run, and is deleted (grace 0, its uid) once its sandbox is gone', async () => {
  const { api, source } = setup();
  api.setPod(pod('a', 'n1', { deletionTimestamp: new Date() }));
  assert.deepEqual(source.values(), []);
  assert.equal(source.get('default', 'a'), undefined);
  // still running: not deleted yet
  await source.afterReconcile(new Set(['default/a']));
  assert.deepEqual(api.calls, []);
  await source.afterReconcile(new Set());
  assert.deepEqual(api.calls, ['deletePod default/a uid-a']);
  assert.equal(api.pods.has('default/a'), false);
});

void test('finished pods are not run again', () => {
  const { api, source } = setup();
  const p = pod('done', 'n1');
  p.status = { phase: 'Succeeded' };
  api.setPod(p);
  assert.deepEqual(source.values(), []);
});

void test('ConfigMaps are read from the API; a missing one is undefined', async () => {
  const api = new FakeKubeApi();
  api.configMaps.set('default/cm', { metadata: { name: 'cm' }, data: { k: 'v' } });
  const src = kubeConfigMapSource(api);
  assert.deepEqual(await src.get('default', 'cm'), { data: { k: 'v' } });
  assert.equal(await src.get('default', 'nope'), undefined);
});
