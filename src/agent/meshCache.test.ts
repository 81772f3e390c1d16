import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCacheEntry } from './meshCache.ts';

const node = { name: 'n1', cluster: 'c2', clusterId: 2, ip: '172.30.2.11', podCIDR: '10.2.0.0/24', vtep: '172.30.2.11', bootId: 'b', ready: true };

test('recognises cached nodes, endpoints and cluster configs of the remote', () => {
  assert.equal(parseCacheEntry('weft/cache/c2/state/nodes/v1/c2/n1', JSON.stringify(node)).kind, 'node');
  const cfg = { id: 2, name: 'c2', podCIDRs: ['10.2.0.0/16'], serviceCIDR: '10.102.0.0/16', routingMode: 'native', nodeCidrMaskSize: 24, capabilities: [] };
  assert.equal(parseCacheEntry('weft/cache/c2/cluster-config/c2', JSON.stringify(cfg)).kind, 'cluster-config');
  const svc = { name: 'x', namespace: 'default', cluster: 'c2', clusterIP: '10.102.0.10', ports: [{ name: '', port: 80, protocol: 'TCP' }], backends: [], global: true, shared: true, affinity: 'none' };
  assert.equal(parseCacheEntry('weft/cache/c2/state/services/v1/c2/default/x', JSON.stringify(svc)).kind, 'service');
  assert.equal(parseCacheEntry('weft/cache/c2/state/other/v1/c2/x', '{}').kind, 'other');
});

test('recognises cached identities with their id and cluster; an invalid one throws', () => {
  const e = parseCacheEntry('weft/cache/c2/state/identities/v1/c2/131328', JSON.stringify({ labels: { b: '2', a: '1' } }));
  assert.deepEqual(e, { kind: 'identity', remote: 'c2', value: { id: 131328, cluster: 'c2', labels: { a: '1', b: '2' } } });
  assert.deepEqual(Object.keys(e.kind === 'identity' ? e.value.labels : {}), ['a', 'b']);
  assert.throws(() => parseCacheEntry('weft/cache/c2/state/identities/v1/c2/131328', '{}'));
  assert.throws(() => parseCacheEntry('weft/cache/c2/state/identities/v1/c2/abc', '{"labels":{}}'));
});

test('an invalid value of a known kind throws (the watch-store skips it)', () => {
  assert.throws(() => parseCacheEntry('weft/cache/c2/state/nodes/v1/c2/n1', '{"name":1}'));
  assert.throws(() => parseCacheEntry('weft/cache/c2/state/nodes/v1/c2/n1', 'not json'));
});
