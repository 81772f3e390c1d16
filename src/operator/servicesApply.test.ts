import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keys } from '../kvstore/keys.ts';
import { MemoryKv } from '../kvstore/memory.ts';
import { applyClusterIpAction, applyServiceStateAction } from './servicesApply.ts';

const allocate = { type: 'allocateClusterIp', ip: '10.101.1.1', namespace: 'default', name: 'web' } as const;
const release = { type: 'releaseClusterIp', ip: '10.101.1.1', namespace: 'default', name: 'web' } as const;

void test('allocate: only while the IP is free and the service exists', async () => {
  const kv = new MemoryKv();
  assert.equal(await applyClusterIpAction(kv, allocate), 'skipped', 'no service object');
  await kv.put(keys.resource('services', 'default', 'web'), '{}');
  assert.equal(await applyClusterIpAction(kv, allocate), 'applied');
  assert.deepEqual(JSON.parse((await kv.get(keys.clusterIpAllocation('10.101.1.1')))?.value ?? ''), { ip: '10.101.1.1', namespace: 'default', name: 'web' });
  await kv.put(keys.resource('services', 'default', 'other'), '{}');
  assert.equal(await applyClusterIpAction(kv, { ...allocate, name: 'other' }), 'skipped', 'never two services one IP');
});

void test('release: only the holder’s record is deleted', async () => {
  const kv = new MemoryKv();
  await kv.put(keys.clusterIpAllocation('10.101.1.1'), JSON.stringify({ ip: '10.101.1.1', namespace: 'default', name: 'other' }));
  assert.equal(await applyClusterIpAction(kv, release), 'skipped');
  await kv.put(keys.clusterIpAllocation('10.101.1.1'), JSON.stringify({ ip: '10.101.1.1', namespace: 'default', name: 'web' }));
  assert.equal(await applyClusterIpAction(kv, release), 'applied');
  assert.equal(await kv.get(keys.clusterIpAllocation('10.101.1.1')), undefined);
  assert.equal(await applyClusterIpAction(kv, release), 'skipped');
});

void test('service state put and delete', async () => {
  const kv = new MemoryKv();
  const key = keys.service('c1', 'default', 'web');
  const state = { name: 'web', namespace: 'default', cluster: 'c1', clusterIP: '10.101.1.1', ports: [], backends: [], global: false, shared: true, affinity: 'none' as const };
  assert.equal(await applyServiceStateAction(kv, { type: 'putServiceState', key, state, created: true }), 'applied');
  assert.deepEqual(JSON.parse((await kv.get(key))?.value ?? ''), state);
  assert.equal(await applyServiceStateAction(kv, { type: 'deleteServiceState', key }), 'applied');
  assert.equal(await applyServiceStateAction(kv, { type: 'deleteServiceState', key }), 'skipped');
});
