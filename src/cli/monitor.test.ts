import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keys } from '../kvstore/keys.ts';
import { MemoryKv } from '../kvstore/memory.ts';
import type { EndpointState, NodeState } from '../model/state.ts';
import { loadIpOwners } from './monitor.ts';

const ep = (ip: string, identity: number): EndpointState => ({ ip, node: 'n1', hostIP: '172.30.1.11', identity, labels: {}, namedPorts: [], ready: true });
const node = (cluster: string, name: string, ip: string): NodeState => ({ name, cluster, clusterId: 1, ip, podCIDR: '10.1.0.0/24', vtep: '', bootId: 'b', ready: true });

void test('IP owners: nodes and endpoints of the cluster and of connected clusters, nothing else', async () => {
  const kv = new MemoryKv();
  await kv.put(keys.node('c1', 'n1'), JSON.stringify(node('c1', 'n1', '172.30.1.11')));
  await kv.put(keys.endpoint('c1', 'default', 'db'), JSON.stringify(ep('10.1.0.5', 65792)));
  await kv.put(keys.meshRemote('c2'), '{}');
  await kv.put(keys.cacheOf('c2', keys.node('c2', 'n1')), JSON.stringify(node('c2', 'n1', '172.30.2.11')));
  await kv.put(keys.cacheOf('c2', keys.endpoint('c2', 'istio-space', 'employee-0')), JSON.stringify(ep('10.2.0.7', 131328)));
  await kv.put(keys.cacheOf('c3', keys.endpoint('c3', 'default', 'gone')), JSON.stringify(ep('10.3.0.1', 196864)));
  assert.deepEqual(Object.fromEntries(await loadIpOwners(kv, 'c1')), {
    '172.30.1.11': { name: 'node/n1', cluster: 'c1', identity: 0 },
    '172.30.2.11': { name: 'node/n1', cluster: 'c2', identity: 0 },
    '10.1.0.5': { name: 'default/db', cluster: 'c1', identity: 65792 },
    '10.2.0.7': { name: 'istio-space/employee-0', cluster: 'c2', identity: 131328 },
  });
});
