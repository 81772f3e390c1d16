import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serviceEndpoints } from './serviceEndpoints.ts';
import { backend, state } from './testFixtures.ts';

const ns = { namespace: 'sample' };
const hello = (cluster: string, ip: string, backends: ReturnType<typeof backend>[], more = {}) =>
  state(cluster, 'helloworld', ip, backends, { ...ns, ports: [{ name: 'http', port: 5000, protocol: 'TCP' }], ...more });

const podsByIp = new Map([
  ['cluster1/10.241.0.5', 'helloworld-v1-aaaaa'],
  ['cluster2/10.244.0.7', 'helloworld-v2-bbbbb'],
]);

void test("a global service lists its own backends and the shared remote ones, with health, cluster, node and pod", () => {
  const local = hello('cluster1', '10.95.0.10', [backend('10.241.0.5', { http: 5000 }, true, 'n1')]);
  const remote = hello('cluster2', '10.96.0.10', [backend('10.244.0.7', { http: 5000 }, true, 'n1'), backend('10.244.0.9', { http: 5000 }, false, 'n2')]);
  const rows = serviceEndpoints({ cluster: 'cluster1', namespace: 'sample', name: 'helloworld', local: [local], remote: [remote], podsByIp });
  assert.deepEqual(rows, [
    { endpoint: '10.241.0.5:5000', status: 'HEALTHY', cluster: 'cluster1', node: 'n1', pod: 'helloworld-v1-aaaaa', servicePort: 5000, protocol: 'TCP', inUse: true },
    { endpoint: '10.244.0.7:5000', status: 'HEALTHY', cluster: 'cluster2', node: 'n1', pod: 'helloworld-v2-bbbbb', servicePort: 5000, protocol: 'TCP', inUse: true },
    { endpoint: '10.244.0.9:5000', status: 'UNHEALTHY', cluster: 'cluster2', node: 'n2', pod: '', servicePort: 5000, protocol: 'TCP', inUse: false },
  ]);
});

void test('a service that is not global lists only its own backends; affinity marks what is in use', () => {
  const remote = hello('cluster2', '10.96.0.10', [backend('10.244.0.7', { http: 5000 })]);
  const plain = hello('cluster1', '10.95.0.10', [backend('10.241.0.5', { http: 5000 })], { global: false });
  const rows = serviceEndpoints({ cluster: 'cluster1', namespace: 'sample', name: 'helloworld', local: [plain], remote: [remote], podsByIp });
  assert.deepEqual(rows?.map((r) => r.cluster), ['cluster1']);
  const local = hello('cluster1', '10.95.0.10', [backend('10.241.0.5', { http: 5000 })], { affinity: 'local' });
  const pinned = serviceEndpoints({ cluster: 'cluster1', namespace: 'sample', name: 'helloworld', local: [local], remote: [remote], podsByIp });
  assert.deepEqual(pinned?.map((r) => [r.cluster, r.inUse]), [['cluster1', true], ['cluster2', false]]);
});

void test('an unknown service is undefined; another namespace does not match', () => {
  const local = hello('cluster1', '10.95.0.10', []);
  assert.equal(serviceEndpoints({ cluster: 'cluster1', namespace: 'default', name: 'helloworld', local: [local], remote: [], podsByIp }), undefined);
  assert.deepEqual(serviceEndpoints({ cluster: 'cluster1', namespace: 'sample', name: 'helloworld', local: [local], remote: [], podsByIp }), []);
});
