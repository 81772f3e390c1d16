import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keys } from '../kvstore/keys.ts';
import { MemoryKv } from '../kvstore/memory.ts';
import type { NodeState } from '../model/state.ts';
import { nodeRevisions, pendingReregistration, waitNodesReregistered } from './enableNodes.ts';
import { isWeftError } from '../errors.ts';

function node(name: string, over: Partial<NodeState> = {}): string {
  return JSON.stringify({ name, cluster: 'c1', clusterId: 1, ip: '172.30.1.11', podCIDR: '10.1.1.0/24', vtep: '172.30.1.11', bootId: 'b', ready: true, ...over });
}

test('pendingReregistration: a node counts once its key is newer than before, ready and with a PodCIDR', () => {
  const before = new Map([['n1', 5], ['n2', 6], ['n3', 7]]);
  const entries = [
    { key: keys.node('c1', 'n1'), value: node('n1'), modRevision: 9 },
    { key: keys.node('c1', 'n2'), value: node('n2'), modRevision: 6 },
    { key: keys.node('c1', 'n3'), value: node('n3', { ready: false }), modRevision: 10 },
  ];
  assert.deepEqual(pendingReregistration(entries, 'c1', ['n1', 'n2', 'n3', 'n4'], before), ['n2: not re-registered yet', 'n3: not ready', 'n4: not registered']);
});

test('waitNodesReregistered returns once the agents rewrote their keys, times out naming the rest', async () => {
  const kv = new MemoryKv();
  await kv.put(keys.node('c1', 'n1'), node('n1'));
  await kv.put(keys.node('c1', 'n2'), node('n2'));
  const before = await nodeRevisions(kv, 'c1');
  assert.deepEqual([...before.keys()], ['n1', 'n2']);
  await assert.rejects(waitNodesReregistered(kv, 'c1', ['n1'], before, 300), (e) => isWeftError(e, 'Timeout') && /n1: not re-registered yet/.test(e.message));
  setTimeout(() => void kv.put(keys.node('c1', 'n1'), node('n1')), 50);
  await waitNodesReregistered(kv, 'c1', ['n1'], before, 3000);
});
