import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServiceState } from '../model/state.ts';
import { serviceFrontends } from './frontends.ts';
import type { Frontend } from './frontends.ts';
import { backend, state } from './testFixtures.ts';

const c1 = (more: Partial<ServiceState> = {}, ready = [true, true]): ServiceState =>
  state('c1', 'echo-1', '10.101.1.1', [backend('10.1.0.5', { '': 8080 }, ready[0]), backend('10.1.1.5', { '': 8080 }, ready[1], 'n2')], more);
const c2 = (more: Partial<ServiceState> = {}, ready = [true]): ServiceState => state('c2', 'echo-1', '10.102.1.1', [backend('10.2.0.5', { '': 8080 }, ready[0])], more);
const c3 = (more: Partial<ServiceState> = {}): ServiceState => state('c3', 'echo-1', '10.103.1.1', [backend('10.3.0.5', { '': 8080 })], more);

const ips = (f: Frontend | undefined): string[] => (f?.backends ?? []).map((b) => `${b.cluster}/${b.ip}:${b.port}`);
const one = (local: ServiceState[], remote: ServiceState[]): Frontend | undefined => {
  const fs = serviceFrontends({ cluster: 'c1', local, remote });
  assert.equal(fs.length, 1);
  return fs[0];
};

void test('a local global service merges the ready backends of every cluster sharing it', () => {
  const f = one([c1()], [c2(), c3()]);
  assert.deepEqual({ ...f, backends: undefined, allBackends: undefined }, { namespace: 'default', name: 'echo-1', clusterIP: '10.101.1.1', port: 80, protocol: 'TCP', portName: '', backends: undefined, allBackends: undefined });
  assert.deepEqual(ips(f), ['c1/10.1.0.5:8080', 'c1/10.1.1.5:8080', 'c2/10.2.0.5:8080', 'c3/10.3.0.5:8080']);
  assert.ok(f?.backends.every((b) => !b.preferred && b.ready), 'affinity none marks nothing preferred');
});

void test('remote ClusterIPs never become frontends; only local services do', () => {
  assert.deepEqual(serviceFrontends({ cluster: 'c1', local: [], remote: [c2(), c3()] }), []);
  assert.equal(one([c1()], [c2()])?.clusterIP, '10.101.1.1');
});

void test('no merge unless both sides are global, same namespace and name', () => {
  assert.deepEqual(ips(one([c1({ global: false })], [c2()])), ['c1/10.1.0.5:8080', 'c1/10.1.1.5:8080']);
  assert.deepEqual(ips(one([c1()], [c2({ global: false })])), ['c1/10.1.0.5:8080', 'c1/10.1.1.5:8080']);
  assert.deepEqual(ips(one([c1()], [c2({ namespace: 'other' }), c3({ name: 'echo-2' })])), ['c1/10.1.0.5:8080', 'c1/10.1.1.5:8080']);
});

void test('shared=false: that cluster keeps its backends to itself but still uses the others', () => {
  assert.deepEqual(ips(one([c1()], [c2({ shared: false }), c3()])), ['c1/10.1.0.5:8080', 'c1/10.1.1.5:8080', 'c3/10.3.0.5:8080']);
  assert.deepEqual(ips(one([c1({ shared: false })], [c2()])), ['c1/10.1.0.5:8080', 'c1/10.1.1.5:8080', 'c2/10.2.0.5:8080']);
});

void test('not-ready backends are shown but not load-balanced over', () => {
  const f = one([c1({}, [true, false])], [c2({}, [false])]);
  assert.deepEqual(ips(f), ['c1/10.1.0.5:8080']);
  assert.deepEqual(f?.allBackends.map((b) => `${b.ip}:${b.ready ? 'ready' : 'not-ready'}`), ['10.1.0.5:ready', '10.1.1.5:not-ready', '10.2.0.5:not-ready']);
  const none = one([c1({}, [false, false])], [c2({}, [false])]);
  assert.deepEqual(none?.backends, [], 'no ready backend: empty (the datapath rejects)');
});

void test('affinity local: local while any is ready, fails over to remote, and back', () => {
  const local = { affinity: 'local' } as const;
  const healthy = one([c1(local)], [c2()]);
  assert.deepEqual(ips(healthy), ['c1/10.1.0.5:8080', 'c1/10.1.1.5:8080']);
  assert.deepEqual(healthy?.allBackends.map((b) => `${b.cluster}:${b.preferred}`), ['c1:true', 'c1:true', 'c2:false']);
  assert.deepEqual(ips(one([c1(local, [false, true])], [c2()])), ['c1/10.1.1.5:8080'], 'one local left: still local');
  assert.deepEqual(ips(one([c1(local, [false, false])], [c2()])), ['c2/10.2.0.5:8080'], 'failover to remote');
  assert.deepEqual(ips(one([c1(local, [true, false])], [c2()])), ['c1/10.1.0.5:8080'], 'back to local');
});

void test('affinity remote: remote while any is ready, falls back to local, and back', () => {
  const remote = { affinity: 'remote' } as const;
  const f = one([c1(remote)], [c2(), c3()]);
  assert.deepEqual(ips(f), ['c2/10.2.0.5:8080', 'c3/10.3.0.5:8080']);
  assert.deepEqual(f?.allBackends.map((b) => `${b.cluster}:${b.preferred}`), ['c1:false', 'c1:false', 'c2:true', 'c3:true']);
  assert.deepEqual(ips(one([c1(remote)], [c2({}, [false])])), ['c1/10.1.0.5:8080', 'c1/10.1.1.5:8080'], 'no remote ready: local');
  assert.deepEqual(ips(one([c1(remote)], [])), ['c1/10.1.0.5:8080', 'c1/10.1.1.5:8080'], 'remote disconnected: local');
  assert.deepEqual(ips(one([c1(remote)], [c2()])), ['c2/10.2.0.5:8080'], 'back to remote');
});

void test("affinity is the local service's: a remote's affinity does not matter", () => {
  assert.deepEqual(ips(one([c1()], [c2({ affinity: 'local' })])).length, 3);
});

void test('one frontend per port; backend ports found through the port name (and protocol)', () => {
  const ports = [
    { name: 'http', port: 80, protocol: 'TCP' as const },
    { name: 'dns', port: 53, protocol: 'UDP' as const },
  ];
  const local = state('c1', 'multi', '10.101.1.2', [backend('10.1.0.5', { http: 8080, dns: 5353 }), backend('10.1.0.6', { http: 8081 })], { ports });
  const remote = state('c2', 'multi', '10.102.1.2', [backend('10.2.0.5', { http: 9090, dns: 53 })], { ports: [{ name: 'http', port: 8000, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'TCP' }] });
  const fs = serviceFrontends({ cluster: 'c1', local: [local], remote: [remote] });
  assert.deepEqual(fs.map((f) => [`${f.clusterIP}:${f.port}/${f.protocol}`, ips(f)]), [
    ['10.101.1.2:53/UDP', ['c1/10.1.0.5:5353']],
    ['10.101.1.2:80/TCP', ['c1/10.1.0.5:8080', 'c1/10.1.0.6:8081', 'c2/10.2.0.5:9090']],
  ]);
});

void test('frontends are sorted and a service without a ClusterIP has none', () => {
  const a = state('c1', 'a', '10.101.0.9', [], { namespace: 'z' });
  const b = state('c1', 'b', '10.101.0.8', []);
  const noIp = state('c1', 'c', '', []);
  assert.deepEqual(serviceFrontends({ cluster: 'c1', local: [a, noIp, b], remote: [] }).map((f) => `${f.namespace}/${f.name}`), ['default/b', 'z/a']);
});

void test('backends list the local cluster first', () => {
  const local = state('m', 'echo-1', '10.101.1.1', [backend('10.9.0.1', { '': 80 })]);
  const f = serviceFrontends({ cluster: 'm', local: [local], remote: [state('a', 'echo-1', '10.1.1.1', [backend('10.1.0.1', { '': 80 })]), state('z', 'echo-1', '10.26.1.1', [backend('10.0.0.1', { '': 80 })])] })[0];
  assert.deepEqual(f?.allBackends.map((b) => b.cluster), ['m', 'a', 'z']);
});
