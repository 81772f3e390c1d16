import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serviceBackends, selectorMatches } from './backends.ts';
import { EndpointIndex } from './endpointIndex.ts';
import { exportedServiceState } from './serviceState.ts';
import { endpoint, service } from './testFixtures.ts';

const web = service('web', { ports: [{ port: 80, targetPort: 8080 }], selector: { app: 'web' } });

void test('selector: every label must match; an empty selector selects nothing', () => {
  assert.equal(selectorMatches({ app: 'web' }, { app: 'web', tier: 'x' }), true);
  assert.equal(selectorMatches({ app: 'web', tier: 'y' }, { app: 'web', tier: 'x' }), false);
  assert.equal(selectorMatches({}, { app: 'web' }), false);
});

void test('backends: matching endpoints of the same namespace, sorted by IP, readiness kept', () => {
  const eps = [
    endpoint('default', '10.1.1.10', { app: 'web' }),
    endpoint('default', '10.1.0.9', { app: 'web' }, { ready: false, node: 'n2' }),
    endpoint('other', '10.1.0.5', { app: 'web' }),
    endpoint('default', '10.1.0.7', { app: 'db' }),
    endpoint('default', '', { app: 'web' }),
  ];
  assert.deepEqual(serviceBackends(web, eps), [
    { ip: '10.1.0.9', node: 'n2', ready: false, ports: { '': 8080 } },
    { ip: '10.1.1.10', node: 'n1', ready: true, ports: { '': 8080 } },
  ]);
  const noSelector = service('manual', { ports: [{ port: 80 }] });
  assert.deepEqual(serviceBackends(noSelector, eps), []);
});

void test('named targetPorts resolve per endpoint; endpoints lacking the name are skipped for that port', () => {
  const svc = service('web', { ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'metrics', port: 9090, targetPort: 9100 }, { name: 'dns', port: 53, targetPort: 'dns', protocol: 'UDP' }], selector: { app: 'web' } });
  const eps = [
    endpoint('default', '10.1.0.1', { app: 'web' }, { namedPorts: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'dns', port: 5353, protocol: 'UDP' }] }),
    endpoint('default', '10.1.0.2', { app: 'web' }, { namedPorts: [{ name: 'http', port: 8081, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'TCP' }] }),
    endpoint('default', '10.1.0.3', { app: 'web' }),
  ];
  assert.deepEqual(serviceBackends(svc, eps).map((b) => [b.ip, b.ports]), [
    ['10.1.0.1', { http: 8080, metrics: 9100, dns: 5353 }],
    ['10.1.0.2', { http: 8081, metrics: 9100 }],
    ['10.1.0.3', { metrics: 9100 }],
  ]);
  const onlyNamed = service('web', { ports: [{ port: 80, targetPort: 'http' }], selector: { app: 'web' } });
  assert.deepEqual(serviceBackends(onlyNamed, eps).map((b) => b.ip), ['10.1.0.1', '10.1.0.2'], 'an endpoint with no port at all is not a backend');
});

void test('the endpoint index returns a superset of the matches from the smallest bucket', () => {
  const eps = [endpoint('default', '10.1.0.1', { app: 'web', tier: 'a' }), endpoint('default', '10.1.0.2', { app: 'web', tier: 'b' }), endpoint('x', '10.1.0.3', { app: 'web', tier: 'a' })];
  const index = new EndpointIndex(eps);
  assert.deepEqual(index.candidates('default', { app: 'web', tier: 'a' }).map((e) => e.endpoint.ip), ['10.1.0.1']);
  assert.deepEqual(index.candidates('default', {}), []);
  assert.deepEqual(index.candidates('default', { app: 'nope' }), []);
  const svc = service('web', { ports: [{ port: 80 }], selector: { app: 'web' } });
  assert.deepEqual(serviceBackends(svc, index.candidates('default', svc.spec.selector)), serviceBackends(svc, eps));
});

void test('the exported state carries ports, backends and the mesh annotations', () => {
  const svc = service('echo-1', { ports: [{ port: 80, targetPort: 8080 }], selector: { run: 'echo-1' } }, { annotations: { 'service.cilium.io/global': 'true', 'service.cilium.io/affinity': 'local' } });
  assert.deepEqual(exportedServiceState(svc, 'c1', '10.101.1.1', [endpoint('default', '10.1.0.4', { run: 'echo-1' })]), {
    name: 'echo-1',
    namespace: 'default',
    cluster: 'c1',
    clusterIP: '10.101.1.1',
    ports: [{ name: '', port: 80, protocol: 'TCP' }],
    backends: [{ ip: '10.1.0.4', node: 'n1', ready: true, ports: { '': 8080 } }],
    global: true,
    shared: true,
    affinity: 'local',
  });
});
