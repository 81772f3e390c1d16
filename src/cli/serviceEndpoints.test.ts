import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keys } from '../kvstore/keys.ts';
import { MemoryKv } from '../kvstore/memory.ts';
import type { EndpointState } from '../model/state.ts';
import { serviceEndpoints } from '../services/serviceEndpoints.ts';
import { backend, state } from '../services/testFixtures.ts';
import { formatColumns } from './output.ts';
import { podsByIp, serviceEndpointTableRows } from './serviceEndpoints.ts';
import { loadServiceStates } from './serviceStates.ts';

const ep = (ip: string): EndpointState => ({ ip, node: 'n1', hostIP: '172.30.1.11', identity: 1, labels: {}, namedPorts: [], ready: true });

void test('pods are named from local endpoints and the cached endpoints of connected clusters only', async () => {
  const kv = new MemoryKv();
  await kv.put(keys.endpoint('cluster1', 'sample', 'helloworld-v1-aaaaa'), JSON.stringify(ep('10.241.0.5')));
  await kv.put(keys.meshRemote('cluster2'), '{}');
  await kv.put(keys.cacheOf('cluster2', keys.endpoint('cluster2', 'sample', 'helloworld-v2-bbbbb')), JSON.stringify(ep('10.244.0.7')));
  await kv.put(keys.cacheOf('cluster2', keys.endpoint('cluster2', 'sample', 'bad')), 'not json');
  await kv.put(keys.cacheOf('cluster3', keys.endpoint('cluster3', 'sample', 'gone')), JSON.stringify(ep('10.3.0.1')));
  assert.deepEqual([...(await podsByIp(kv, 'cluster1'))].sort(), [
    ['cluster1/10.241.0.5', 'helloworld-v1-aaaaa'],
    ['cluster2/10.244.0.7', 'helloworld-v2-bbbbb'],
  ]);
});

void test('the table: ENDPOINT STATUS CLUSTER NODE POD, one row per backend, from the kvstore', async () => {
  const kv = new MemoryKv();
  const ports = [{ name: 'http', port: 5000, protocol: 'TCP' as const }];
  await kv.put(keys.service('cluster1', 'sample', 'helloworld'), JSON.stringify(state('cluster1', 'helloworld', '10.95.0.10', [backend('10.241.0.5', { http: 5000 })], { namespace: 'sample', ports })));
  await kv.put(keys.endpoint('cluster1', 'sample', 'helloworld-v1-aaaaa'), JSON.stringify(ep('10.241.0.5')));
  await kv.put(keys.meshRemote('cluster2'), '{}');
  await kv.put(keys.cacheOf('cluster2', keys.service('cluster2', 'sample', 'helloworld')), JSON.stringify(state('cluster2', 'helloworld', '10.96.0.10', [backend('10.244.0.7', { http: 5000 }, false)], { namespace: 'sample', ports })));
  const { local, remote } = await loadServiceStates(kv, 'cluster1', () => undefined);
  const rows = serviceEndpoints({ cluster: 'cluster1', namespace: 'sample', name: 'helloworld', local, remote, podsByIp: await podsByIp(kv, 'cluster1') });
  assert.ok(rows);
  assert.equal(
    formatColumns(['ENDPOINT', 'STATUS', 'CLUSTER', 'NODE', 'POD'], serviceEndpointTableRows(rows)),
    [
      'ENDPOINT          STATUS      CLUSTER    NODE   POD',
      '10.241.0.5:5000   HEALTHY     cluster1   n1     helloworld-v1-aaaaa',
      '10.244.0.7:5000   UNHEALTHY   cluster2   n1     <unknown>',
    ].join('\n'),
  );
});
