import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keys } from '../../kvstore/keys.ts';
import { exportServiceStates } from './serviceExport.ts';

const svc = (name: string, more: { annotations?: Record<string, string>; clusterIP?: string; ports?: unknown[]; type?: string } = {}) => ({
  metadata: { name, namespace: 'default', uid: 'x', resourceVersion: '7', annotations: more.annotations },
  spec: { type: more.type ?? 'ClusterIP', clusterIP: more.clusterIP ?? '10.228.0.10', ports: more.ports ?? [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }] },
});
const slice = (name: string, service: string, endpoints: unknown[] | null, ports: unknown[] | null = [{ name: 'http', port: 8080, protocol: 'TCP' }]) => ({
  metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': service } },
  addressType: 'IPv4',
  ports,
  endpoints,
});

void test('a Service with EndpointSlices: clusterIP from the API, backends from the slices (v1beta1 topology and v1 nodeName), merged and sorted', () => {
  const out = exportServiceStates('ko1', [svc('web')], {
    kind: 'slices',
    items: [
      slice('web-a', 'web', [
        { addresses: ['10.227.1.9'], conditions: { ready: true }, topology: { 'kubernetes.io/hostname': 'n2' } },
        { addresses: ['10.227.0.5'], conditions: { ready: false }, nodeName: 'n1' },
      ]),
      slice('web-b', 'web', [{ addresses: ['10.227.0.7'], conditions: {} }]),
      slice('other', 'api', [{ addresses: ['10.227.0.8'] }]),
    ],
  });
  assert.deepEqual(out.problems, []);
  assert.deepEqual([...out.states.keys()], [keys.service('ko1', 'default', 'web')]);
  const s = out.states.get(keys.service('ko1', 'default', 'web'));
  assert.equal(s?.clusterIP, '10.228.0.10');
  assert.deepEqual(s?.ports, [{ name: 'http', port: 80, protocol: 'TCP' }]);
  assert.deepEqual(s?.backends, [
    { ip: '10.227.0.5', node: 'n1', ready: false, ports: { http: 8080 } },
    { ip: '10.227.0.7', node: '', ready: true, ports: { http: 8080 } },
    { ip: '10.227.1.9', node: 'n2', ready: true, ports: { http: 8080 } },
  ]);
  assert.deepEqual([s?.global, s?.shared, s?.affinity], [false, true, 'none']);
});

void test('annotations go through the standalone parser: global, shared, affinity (and a bad value is a problem, the default kept)', () => {
  const out = exportServiceStates('ko1', [svc('g', { annotations: { 'service.cilium.io/global': 'true', 'service.cilium.io/shared': 'false', 'service.cilium.io/affinity': 'local' } }), svc('bad', { annotations: { 'service.cilium.io/global': 'yes' } })], { kind: 'slices', items: [] });
  const g = out.states.get(keys.service('ko1', 'default', 'g'));
  assert.deepEqual([g?.global, g?.shared, g?.affinity], [true, false, 'local']);
  assert.equal(out.states.get(keys.service('ko1', 'default', 'bad'))?.global, false);
  assert.match(out.problems.join('\n'), /default\/bad: annotation service\.cilium\.io\/global must be "true" or "false"/);
});

void test('headless and ExternalName Services are not exported; SCTP ports are left out with a problem; null endpoints/ports are empty', () => {
  const out = exportServiceStates('ko1', [svc('headless', { clusterIP: 'None' }), svc('ext', { type: 'ExternalName', clusterIP: '' }), svc('mixed', { ports: [{ port: 53, protocol: 'UDP' }, { port: 9, protocol: 'SCTP' }] })], {
    kind: 'slices',
    items: [slice('m', 'mixed', null, null)],
  });
  assert.deepEqual([...out.states.keys()], [keys.service('ko1', 'default', 'mixed')]);
  assert.deepEqual(out.states.get(keys.service('ko1', 'default', 'mixed'))?.ports, [{ name: '', port: 53, protocol: 'UDP' }]);
  assert.deepEqual(out.states.get(keys.service('ko1', 'default', 'mixed'))?.backends, []);
  assert.match(out.problems.join('\n'), /default\/mixed: port 9\/SCTP left out/);
});

void test('a backend needs a port of the same name and protocol; an endpoint with none is skipped', () => {
  const out = exportServiceStates('ko1', [svc('web')], { kind: 'slices', items: [slice('w', 'web', [{ addresses: ['10.227.0.4'] }], [{ name: 'metrics', port: 9000, protocol: 'TCP' }])] });
  assert.deepEqual(out.states.get(keys.service('ko1', 'default', 'web'))?.backends, []);
});

void test('v1 Endpoints as the fallback: ready and not-ready addresses', () => {
  const out = exportServiceStates('ko1', [svc('web')], {
    kind: 'endpoints',
    items: [{ metadata: { name: 'web', namespace: 'default' }, subsets: [{ addresses: [{ ip: '10.227.0.4', nodeName: 'n1' }], notReadyAddresses: [{ ip: '10.227.0.3' }], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }] }],
  });
  assert.deepEqual(out.states.get(keys.service('ko1', 'default', 'web'))?.backends, [
    { ip: '10.227.0.3', node: '', ready: false, ports: { http: 8080 } },
    { ip: '10.227.0.4', node: 'n1', ready: true, ports: { http: 8080 } },
  ]);
});

void test('a malformed object is skipped and named', () => {
  const out = exportServiceStates('ko1', [{ metadata: { name: 'x', namespace: 'default' }, spec: { ports: [{ port: 'eighty' }] } }], { kind: 'slices', items: [] });
  assert.equal(out.states.size, 0);
  assert.match(out.problems.join('\n'), /Service default\/x: spec\.ports\[0\]\.port: .*; skipped/);
});
