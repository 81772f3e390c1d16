import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryKv } from '../kvstore/memory.ts';
import { keys } from '../kvstore/keys.ts';
import { applyOperatorAction } from './applyAction.ts';
import { barePod, deployment, node } from './testFixtures.ts';
import { podFromTemplate, templateHash } from './podTemplate.ts';

async function json(kv: MemoryKv, key: string): Promise<Record<string, unknown> | undefined> {
  const e = await kv.get(key);
  return e === undefined ? undefined : (JSON.parse(e.value) as Record<string, unknown>);
}

void test('assignPodCidr sets the podCIDR, keeps unknown fields, records the allocation; only once', async () => {
  const kv = new MemoryKv();
  await kv.put(keys.node('c1', 'n1'), JSON.stringify({ ...node('n1'), future: 1 }));
  assert.equal(await applyOperatorAction(kv, 'c1', { type: 'assignPodCidr', node: 'n1', cidr: '10.0.0.0/24' }), 'applied');
  assert.deepEqual(await json(kv, keys.nodeCidrAllocation('10.0.0.0/24')), { cidr: '10.0.0.0/24', node: 'n1' });
  const n = await json(kv, keys.node('c1', 'n1'));
  assert.equal(n?.['podCIDR'], '10.0.0.0/24');
  assert.equal(n?.['future'], 1);
  assert.equal(await applyOperatorAction(kv, 'c1', { type: 'assignPodCidr', node: 'n1', cidr: '10.0.1.0/24' }), 'skipped');
});

void test('assignPodCidr never hands out a block another node holds', async () => {
  const kv = new MemoryKv();
  await kv.put(keys.node('c1', 'n2'), JSON.stringify(node('n2')));
  await kv.put(keys.nodeCidrAllocation('10.0.0.0/24'), JSON.stringify({ cidr: '10.0.0.0/24', node: 'n1' }));
  assert.equal(await applyOperatorAction(kv, 'c1', { type: 'assignPodCidr', node: 'n2', cidr: '10.0.0.0/24' }), 'skipped');
  assert.equal((await json(kv, keys.node('c1', 'n2')))?.['podCIDR'], '');
});

void test('releasePodCidr only frees a block whose node is gone', async () => {
  const kv = new MemoryKv();
  const key = keys.nodeCidrAllocation('10.0.0.0/24');
  await kv.put(key, JSON.stringify({ cidr: '10.0.0.0/24', node: 'n1' }));
  await kv.put(keys.node('c1', 'n1'), JSON.stringify(node('n1', '10.0.0.0/24')));
  assert.equal(await applyOperatorAction(kv, 'c1', { type: 'releasePodCidr', node: 'n1', cidr: '10.0.0.0/24' }), 'skipped');
  await kv.delete(keys.node('c1', 'n1'));
  assert.equal(await applyOperatorAction(kv, 'c1', { type: 'releasePodCidr', node: 'n1', cidr: '10.0.0.0/24' }), 'applied');
  assert.equal(await kv.get(key), undefined);
});

void test('createPod needs its owner and a free name', async () => {
  const kv = new MemoryKv();
  const d = deployment('web', 1);
  const pod = podFromTemplate(d, 'web-abcde', templateHash(d.spec.template), 'now');
  assert.equal(await applyOperatorAction(kv, 'c1', { type: 'createPod', pod, reason: 't' }), 'skipped', 'owner missing');
  await kv.put(keys.resource('deployments', 'default', 'web'), JSON.stringify(d));
  assert.equal(await applyOperatorAction(kv, 'c1', { type: 'createPod', pod, reason: 't' }), 'applied');
  assert.equal(await applyOperatorAction(kv, 'c1', { type: 'createPod', pod, reason: 't' }), 'skipped', 'already there');
});

void test('bindPod binds an unbound pod to a ready node with a podCIDR, once', async () => {
  const kv = new MemoryKv();
  const podKey = keys.resource('pods', 'default', 'p');
  await kv.put(podKey, JSON.stringify(barePod('p')));
  await kv.put(keys.node('c1', 'n1'), JSON.stringify(node('n1', '10.0.0.0/24', false)));
  assert.equal(await applyOperatorAction(kv, 'c1', { type: 'bindPod', namespace: 'default', name: 'p', node: 'n1' }), 'skipped', 'node not ready');
  await kv.put(keys.node('c1', 'n1'), JSON.stringify(node('n1', '10.0.0.0/24')));
  assert.equal(await applyOperatorAction(kv, 'c1', { type: 'bindPod', namespace: 'default', name: 'p', node: 'n1' }), 'applied');
  assert.equal(((await json(kv, podKey))?.['spec'] as { nodeName?: string }).nodeName, 'n1');
  assert.equal(await applyOperatorAction(kv, 'c1', { type: 'bindPod', namespace: 'default', name: 'p', node: 'n2' }), 'skipped');
});

void test('deletePod reports whether there was anything to delete', async () => {
  const kv = new MemoryKv();
  await kv.put(keys.resource('pods', 'default', 'p'), JSON.stringify(barePod('p')));
  assert.equal(await applyOperatorAction(kv, 'c1', { type: 'deletePod', namespace: 'default', name: 'p', reason: 't' }), 'applied');
  assert.equal(await applyOperatorAction(kv, 'c1', { type: 'deletePod', namespace: 'default', name: 'p', reason: 't' }), 'skipped');
});
