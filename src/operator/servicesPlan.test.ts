import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keys } from '../kvstore/keys.ts';
import type { ClusterConfig } from '../model/state.ts';
import { endpoint, service } from '../services/testFixtures.ts';
import { planServiceIps, planServiceStates } from './servicesPlan.ts';
import type { ServicesSnapshot } from './servicesPlan.ts';

const CONFIG: ClusterConfig = { id: 1, name: 'c1', podCIDRs: ['10.1.0.0/16'], serviceCIDR: '10.101.0.0/16', routingMode: 'native', nodeCidrMaskSize: 24, capabilities: [] };
const web = service('web', { ports: [{ port: 80, targetPort: 8080 }], selector: { app: 'web' } });
const snap = (more: Partial<ServicesSnapshot> = {}): ServicesSnapshot => ({
  cluster: 'c1',
  config: CONFIG,
  services: [web],
  endpoints: [endpoint('default', '10.1.0.4', { app: 'web' })],
  allocations: new Map(),
  exported: new Map(),
  ...more,
});

void test('a new service: allocate, then export its state', () => {
  const s = snap();
  const ipPlan = planServiceIps(s);
  assert.deepEqual(ipPlan.actions, [{ type: 'allocateClusterIp', ip: '10.101.1.1', namespace: 'default', name: 'web' }]);
  const actions = planServiceStates(s, ipPlan.ips);
  assert.equal(actions.length, 1);
  const [put] = actions;
  assert.ok(put?.type === 'putServiceState');
  assert.equal(put.key, keys.service('c1', 'default', 'web'));
  assert.equal(put.created, true);
  assert.equal(put.state.clusterIP, '10.101.1.1');
  assert.deepEqual(put.state.backends, [{ ip: '10.1.0.4', node: 'n1', ready: true, ports: { '': 8080 } }]);
});

void test('unchanged state is not rewritten; a backend change is', () => {
  const ips = new Map([['default/web', '10.101.1.1']]);
  const [first] = planServiceStates(snap(), ips);
  assert.ok(first?.type === 'putServiceState');
  const exported = new Map([[first.key, first.state]]);
  assert.deepEqual(planServiceStates(snap({ exported }), ips), []);
  const more = planServiceStates(snap({ exported, endpoints: [endpoint('default', '10.1.0.4', { app: 'web' }, { ready: false })] }), ips);
  assert.equal(more.length, 1);
  assert.ok(more[0]?.type === 'putServiceState' && !more[0].created && more[0].state.backends[0]?.ready === false);
});

void test('a service without an IP has no state; a deleted service loses it', () => {
  const key = keys.service('c1', 'default', 'web');
  const exported = new Map([[key, { name: 'web', namespace: 'default', cluster: 'c1', clusterIP: '10.101.1.1', ports: [], backends: [], global: false, shared: true, affinity: 'none' as const }]]);
  assert.deepEqual(planServiceStates(snap({ exported }), new Map()), [{ type: 'deleteServiceState', key }]);
  assert.deepEqual(planServiceStates(snap({ exported, services: [] }), new Map([['default/web', '10.101.1.1']])), [{ type: 'deleteServiceState', key }]);
});

void test('without a cluster config: nothing moves, held IPs stay', () => {
  const plan = planServiceIps(snap({ config: undefined, allocations: new Map([['10.101.1.1', { namespace: 'default', name: 'web' }], ['10.101.1.2', { namespace: 'default', name: 'gone' }]]) }));
  assert.deepEqual(plan.actions, []);
  assert.deepEqual([...plan.ips], [['default/web', '10.101.1.1']]);
  assert.match(plan.problems[0] ?? '', /waiting for the cluster config/);
});
