import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planClusterIps } from './clusterIpAllocator.ts';
import type { ClusterIpAction, ClusterIpClaim, ServiceRef } from './clusterIpAllocator.ts';

const CIDR = '10.101.0.0/16';
const claim = (name: string, requested?: string, createdAt = '2025-01-01T00:00:00Z'): ClusterIpClaim => ({ namespace: 'default', name, requested, createdAt });
const held = (...pairs: [string, string][]): Map<string, ServiceRef> => new Map(pairs.map(([ip, name]) => [ip, { namespace: 'default', name }]));

/** Apply a plan's actions to the allocation records, as the operator would. */
function applied(allocs: Map<string, ServiceRef>, actions: readonly ClusterIpAction[]): Map<string, ServiceRef> {
  const out = new Map(allocs);
  for (const a of actions) {
    if (a.type === 'allocateClusterIp') out.set(a.ip, { namespace: a.namespace, name: a.name });
    else out.delete(a.ip);
  }
  return out;
}

void test('dynamic IPs come from the upper band, never the same one twice', () => {
  const plan = planClusterIps({ serviceCIDR: CIDR, services: [claim('a'), claim('b'), claim('c')], allocations: new Map() });
  assert.deepEqual([...plan.ips], [['default/a', '10.101.1.1'], ['default/b', '10.101.1.2'], ['default/c', '10.101.1.3']]);
  assert.equal(new Set(plan.ips.values()).size, 3);
  assert.deepEqual(plan.problems, []);
});

void test('a requested IP is granted when free; dynamic allocation never takes a requested IP', () => {
  const plan = planClusterIps({ serviceCIDR: CIDR, services: [claim('dyn'), claim('static', '10.101.1.1')], allocations: new Map() });
  assert.equal(plan.ips.get('default/static'), '10.101.1.1');
  assert.equal(plan.ips.get('default/dyn'), '10.101.1.2');
});

void test('a requested IP out of range or taken: a problem naming the IP, and no IP', () => {
  const plan = planClusterIps({
    serviceCIDR: CIDR,
    services: [claim('holder'), claim('late', '10.101.1.1'), claim('far', '10.5.0.1')],
    allocations: held(['10.101.1.1', 'holder']),
  });
  assert.equal(plan.ips.get('default/late'), undefined);
  assert.equal(plan.ips.get('default/far'), undefined);
  assert.deepEqual(plan.actions, []);
  assert.deepEqual(plan.problems, [
    'service default/far: clusterIP 10.5.0.1 is outside the service CIDR 10.101.0.0/16; it gets no ClusterIP until spec.clusterIP is changed',
    'service default/late: clusterIP 10.101.1.1 is already allocated to service default/holder; it gets no ClusterIP until spec.clusterIP is changed',
  ]);
});

void test('two services requesting one IP: the older one gets it', () => {
  const plan = planClusterIps({ serviceCIDR: CIDR, services: [claim('young', '10.101.0.5', '2025-02-01T00:00:00Z'), claim('old', '10.101.0.5', '2025-01-01T00:00:00Z')], allocations: new Map() });
  assert.equal(plan.ips.get('default/old'), '10.101.0.5');
  assert.equal(plan.ips.get('default/young'), undefined);
  assert.match(plan.problems[0] ?? '', /default\/young: clusterIP 10\.101\.0\.5 is already allocated to service default\/old/);
});

void test('restart: recorded allocations are kept, nothing is rewritten', () => {
  const first = planClusterIps({ serviceCIDR: CIDR, services: [claim('a'), claim('b', '10.101.0.7')], allocations: new Map() });
  const records = applied(new Map(), first.actions);
  const again = planClusterIps({ serviceCIDR: CIDR, services: [claim('b', '10.101.0.7'), claim('a')], allocations: records });
  assert.deepEqual(again.actions, []);
  assert.deepEqual(again.ips, first.ips);
});

void test('release: service gone, service asks for another IP, IP left the CIDR', () => {
  const plan = planClusterIps({
    serviceCIDR: CIDR,
    services: [claim('moved', '10.101.0.9'), claim('outside')],
    allocations: held(['10.101.1.1', 'gone'], ['10.101.1.2', 'moved'], ['10.200.0.1', 'outside']),
  });
  assert.deepEqual(plan.actions, [
    { type: 'releaseClusterIp', ip: '10.101.1.1', namespace: 'default', name: 'gone' },
    { type: 'releaseClusterIp', ip: '10.101.1.2', namespace: 'default', name: 'moved' },
    { type: 'releaseClusterIp', ip: '10.200.0.1', namespace: 'default', name: 'outside' },
    { type: 'allocateClusterIp', ip: '10.101.0.9', namespace: 'default', name: 'moved' },
    { type: 'allocateClusterIp', ip: '10.101.1.3', namespace: 'default', name: 'outside' },
  ]);
  assert.match(plan.problems[0] ?? '', /default\/outside: clusterIP 10\.200\.0\.1 is outside the service CIDR/);
  // an IP released in this pass is not handed out in the same pass; the next one may
  const next = planClusterIps({ serviceCIDR: CIDR, services: [claim('moved', '10.101.0.9'), claim('outside'), claim('new')], allocations: applied(held(['10.101.1.1', 'gone'], ['10.101.1.2', 'moved'], ['10.200.0.1', 'outside']), plan.actions) });
  assert.equal(next.ips.get('default/new'), '10.101.1.1');
});

void test('a service holding two records keeps one and releases the other', () => {
  const plan = planClusterIps({ serviceCIDR: CIDR, services: [claim('a')], allocations: held(['10.101.1.1', 'a'], ['10.101.1.2', 'a']) });
  assert.equal(plan.ips.get('default/a'), '10.101.1.1');
  assert.deepEqual(plan.actions, [{ type: 'releaseClusterIp', ip: '10.101.1.2', namespace: 'default', name: 'a' }]);
});

void test('exhausted range: a problem, never a duplicate', () => {
  const plan = planClusterIps({ serviceCIDR: '10.9.0.0/30', services: [claim('a'), claim('b'), claim('c')], allocations: new Map() });
  assert.equal(plan.ips.size, 2);
  assert.equal(new Set(plan.ips.values()).size, 2);
  assert.deepEqual(plan.problems, ['service default/c: no free ClusterIP left in the service CIDR 10.9.0.0/30']);
});

void test('an invalid service CIDR moves nothing', () => {
  const plan = planClusterIps({ serviceCIDR: 'nope', services: [claim('a')], allocations: held(['10.101.1.1', 'a']) });
  assert.deepEqual(plan.actions, []);
  assert.equal(plan.ips.get('default/a'), '10.101.1.1');
  assert.match(plan.problems[0] ?? '', /serviceCIDR nope is invalid/);
});
