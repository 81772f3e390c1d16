import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryKv } from '../kvstore/memory.ts';
import { keys } from '../kvstore/keys.ts';
import { nodeReadiness, waitEtcdHealthy, waitNodesReady, writeClusterConfig } from './clusterEtcd.ts';
import { isWeftError } from '../errors.ts';
import type { NodeState } from '../model/state.ts';

function node(name: string, over: Partial<NodeState> = {}): NodeState {
  return { name, cluster: 'c1', clusterId: 1, ip: '172.30.1.11', podCIDR: '10.1.0.0/24', vtep: '172.30.1.11', bootId: 'b', ready: true, ...over };
}

void test('node readiness: registered, ready and with a PodCIDR', () => {
  const entries = [
    { key: keys.node('c1', 'n1'), value: JSON.stringify(node('n1')) },
    { key: keys.node('c1', 'n2'), value: JSON.stringify(node('n2', { podCIDR: '' })) },
    { key: keys.node('c1', 'n3'), value: JSON.stringify(node('n3', { ready: false })) },
    { key: keys.node('c1', 'n4'), value: '{' },
  ];
  const r = nodeReadiness(entries, 'c1', ['n1', 'n2', 'n3', 'n4', 'n5']);
  assert.deepEqual(r.ready.map((n) => n.name), ['n1']);
  assert.deepEqual(r.pending, [
    { node: 'n2', reason: 'no PodCIDR yet' },
    { node: 'n3', reason: 'not ready' },
    { node: 'n4', reason: 'invalid node state' },
    { node: 'n5', reason: 'not registered' },
  ]);
});

void test('writes the cluster config and waits for nodes', async () => {
  const kv = new MemoryKv();
  const key = await writeClusterConfig(kv, {
    id: 1, name: 'c1', podCIDRs: ['10.1.0.0/16'], serviceCIDR: '10.101.0.0/16', routingMode: 'tunnel', nodeCidrMaskSize: 24, capabilities: [],
  });
  assert.equal(key, 'weft/cluster-config/c1');
  assert.equal((JSON.parse((await kv.get(key))!.value) as { id: number }).id, 1);

  setTimeout(() => void kv.put(keys.node('c1', 'n1'), JSON.stringify(node('n1'))), 50);
  const ready = await waitNodesReady(kv, 'c1', ['n1'], { timeoutMs: 2000, pollMs: 10 });
  assert.deepEqual(ready.map((n) => n.podCIDR), ['10.1.0.0/24']);

  await assert.rejects(
    waitNodesReady(kv, 'c1', ['n1', 'n2'], { timeoutMs: 100, pollMs: 10 }),
    (e: unknown) => isWeftError(e, 'Timeout') && e.message.includes('n2: not registered'),
  );
  await assert.rejects(
    waitNodesReady(kv, 'c1', ['n2'], { timeoutMs: 1000, pollMs: 10, check: () => { throw new Error('agent died'); } }),
    /agent died/,
  );
  await kv.close();
});

void test('waits for /health to say true', async () => {
  let calls = 0;
  const srv = createServer((_req, res) => {
    calls++;
    res.end(JSON.stringify({ health: calls >= 3 ? 'true' : 'false' }));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  try {
    await waitEtcdHealthy(url, 5000);
    assert.ok(calls >= 3);
    await assert.rejects(waitEtcdHealthy('http://127.0.0.1:1', 300), (e: unknown) => isWeftError(e, 'Timeout') && e.message.includes('127.0.0.1:1'));
  } finally {
    srv.close();
  }
});
