import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meshStatusReport } from '../clustermesh/meshStatus.ts';
import type { NodeState, ServiceState } from '../model/state.ts';
import type { RemoteStatus } from '../model/remoteStatus.ts';
import { meshModel } from './meshModel.ts';

const node = (cluster: string, name: string, clusterId: number): NodeState => ({ name, cluster, clusterId, ip: `172.30.${clusterId}.2`, podCIDR: `10.${clusterId}.0.0/24`, vtep: '', bootId: 'b', ready: true });
const echo = (cluster: string, ip: string, over: Partial<ServiceState> = {}): ServiceState => ({
  name: 'echo-1', namespace: 'default', cluster, clusterIP: ip, ports: [{ name: '', port: 80, protocol: 'TCP' }],
  backends: [{ ip: `${ip}9`, node: `${cluster}-worker`, ready: true, ports: { '': 8080 } }], global: true, shared: true, affinity: 'none', ...over,
});
const status = (name: string, over: Partial<RemoteStatus> = {}): RemoteStatus => ({
  name, configured: true, connected: true, ready: true, synced: { nodes: true, endpoints: true, identities: true, services: true },
  counts: { nodes: 2, endpoints: 3, identities: 2, services: 2 }, failures: 0, lastFailure: '', lastFailureAt: '', connectedSince: '2025-01-01T00:00:00.000Z', updatedAt: '2025-01-01T00:00:05.000Z', ...over,
});

function model(statuses: RemoteStatus[], services: ServiceState[] = []) {
  const nodes = [node('ui2', 'ui2-worker', 251), node('ui1', 'ui1-worker2', 249), node('ui1', 'ui1-worker', 249)];
  const localNodes = nodes.filter((n) => n.cluster === 'ui2');
  const remoteStatus = new Map(statuses.map((s) => [s.name, s]));
  const report = meshStatusReport({ cluster: 'ui2', accessEndpoints: ['https://172.30.251.1:2379'], tls: true, nodes: localNodes, agents: [{ node: 'ui2-worker', remotes: ['ui1'], updatedAt: '' }], remotes: ['ui1'], remoteStatus, globalServices: 1 });
  return meshModel({ cluster: 'ui2', now: '2025-01-01T00:01:00.000Z', nodes, services: { local: services.filter((s) => s.cluster === 'ui2'), remote: services.filter((s) => s.cluster !== 'ui2') }, report, remoteStatus });
}

test('clusters: the local one first, each with its id and sorted nodes', () => {
  const m = model([status('ui1')]);
  assert.deepEqual(m.clusters.map((c) => [c.name, c.id, c.local, c.nodes.map((n) => n.name)]), [
    ['ui2', 251, true, ['ui2-worker']],
    ['ui1', 249, false, ['ui1-worker', 'ui1-worker2']],
  ]);
});

test('services: one entry per namespace/name with its copy in each cluster, the local copy first', () => {
  const m = model([status('ui1')], [echo('ui1', '10.250.0.1'), echo('ui2', '10.252.0.1', { affinity: 'local' }), echo('ui1', '10.250.0.2', { name: 'plain', global: false })]);
  assert.deepEqual(m.services.map((s) => [s.name, s.global, s.shared, s.affinity, s.clusters.map((c) => c.cluster)]), [
    ['echo-1', true, true, 'local', ['ui2', 'ui1']],
    ['plain', false, false, 'none', ['ui1']],
  ]);
  assert.deepEqual(m.services[0]?.clusters[1], { cluster: 'ui1', clusterIP: '10.250.0.1', ports: ['80/TCP'], backends: [{ ip: '10.250.0.19', node: 'ui1-worker', ready: true }] });
});

test('a global copy that is not shared makes the service not shared', () => {
  const m = model([status('ui1')], [echo('ui1', '10.250.0.1', { shared: false }), echo('ui2', '10.252.0.1')]);
  assert.equal(m.services[0]?.shared, false);
});

test('status: each remote connected, ready and its last sync; problems as text', () => {
  const ok = model([status('ui1')]);
  assert.equal(ok.status.ok, true);
  assert.deepEqual(ok.status.remotes.map((r) => [r.name, r.connected, r.ready, r.nodesConnected, r.nodesTotal, r.lastSync]), [['ui1', true, true, 1, 1, '2025-01-01T00:00:05.000Z']]);
  const down = model([status('ui1', { connected: false, ready: false, lastFailure: 'connection refused', failures: 3 })]);
  assert.equal(down.status.ok, false);
  assert.deepEqual(down.status.remotes.map((r) => [r.connected, r.ready, r.failures, r.lastFailure]), [[false, false, 3, 'connection refused']]);
  assert.match(down.status.problems.join('\n'), /ui1: not connected: connection refused/);
  const unknown = model([]);
  assert.deepEqual(unknown.status.remotes.map((r) => [r.name, r.connected, r.lastSync, r.counts]), [['ui1', false, '', null]]);
});
