import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keys } from '../kvstore/keys.ts';
import { MemoryKv } from '../kvstore/memory.ts';
import { EndpointState } from '../model/state.ts';
import { clusterIdentity } from '../policy/types.ts';
import type { StoredPod } from './podResource.ts';
import { PodStatusWriter } from './podStatusWriter.ts';

const pod = (name: string, labels: Record<string, string>): StoredPod => ({
  metadata: { name, namespace: 'team', labels },
  spec: { nodeName: 'n1', containers: [{ name: 'c', ports: [{ containerPort: 80, name: 'http' }] }] },
});

async function endpointOf(kv: MemoryKv, name: string): Promise<EndpointState> {
  return EndpointState.parse(JSON.parse((await kv.get(keys.endpoint('c1', 'team', name)))?.value ?? 'null'));
}

test('endpoints carry their identity and identity labels; replicas share it; a namespace label change moves them', async () => {
  const kv = new MemoryKv();
  let nsLabels: Record<string, string> | undefined = { env: 'prod' };
  const w = new PodStatusWriter(kv, { cluster: 'c1', clusterId: 1, node: 'n1', nodeIp: '172.30.1.11', namespaceLabels: () => nsLabels });
  const id1 = await w.endpoint(pod('a-1', { app: 'a', 'pod-template-hash': 'h1' }), '10.1.0.5');
  const id2 = await w.endpoint(pod('a-2', { app: 'a', 'pod-template-hash': 'h2' }), '10.1.0.6');
  assert.equal(id1, clusterIdentity(1, 256));
  assert.equal(id2, id1);
  const ep = await endpointOf(kv, 'a-1');
  assert.equal(ep.identity, id1);
  assert.deepEqual(ep.labels, {
    app: 'a',
    'io.cilium.k8s.namespace.labels.env': 'prod',
    'io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name': 'team',
    'io.cilium.k8s.policy.cluster': 'c1',
    'io.kubernetes.pod.namespace': 'team',
  });
  assert.deepEqual(ep.namedPorts, [{ name: 'http', port: 80, protocol: 'TCP' }]);
  const rev = kv.revision;
  assert.equal(await w.endpoint(pod('a-1', { app: 'a', 'pod-template-hash': 'h1' }), '10.1.0.5'), id1);
  assert.equal(kv.revision, rev, 'unchanged endpoint: no write');
  nsLabels = { env: 'staging' };
  const moved = await w.endpoint(pod('a-1', { app: 'a', 'pod-template-hash': 'h1' }), '10.1.0.5');
  assert.equal(moved, clusterIdentity(1, 257));
  assert.equal((await endpointOf(kv, 'a-1')).identity, moved);
  assert.equal((await endpointOf(kv, 'a-1')).labels['io.cilium.k8s.namespace.labels.env'], 'staging');
  nsLabels = undefined;
  await w.forget('team', 'a-1');
  assert.equal(await kv.get(keys.endpoint('c1', 'team', 'a-1')), undefined);
});

test('a pod deleted by CNI DEL and added again with the same IP gets its endpoint written again', async () => {
  const kv = new MemoryKv();
  const w = new PodStatusWriter(kv, { cluster: 'c1', clusterId: 1, node: 'n1', nodeIp: '172.30.1.11', namespaceLabels: () => undefined });
  const p = pod('db-0', { app: 'db' });
  const id = await w.endpoint(p, '10.1.0.7');
  await w.forgetEndpoint('team', 'db-0');
  assert.equal(await kv.get(keys.endpoint('c1', 'team', 'db-0')), undefined);
  assert.equal(await w.endpoint(p, '10.1.0.7'), id);
  assert.equal((await endpointOf(kv, 'db-0')).ip, '10.1.0.7');
});
