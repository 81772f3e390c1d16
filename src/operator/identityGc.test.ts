import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IdentityAllocator } from '../identity/allocator.ts';
import { labelsHash } from '../identity/labels.ts';
import { keys } from '../kvstore/keys.ts';
import { MemoryKv } from '../kvstore/memory.ts';
import type { EndpointState } from '../model/state.ts';
import { createLogger } from '../util/log.ts';
import { startIdentityGc } from './identityGc.ts';

const C = 'c1';
const A = { app: 'a', 'io.cilium.k8s.policy.cluster': C, 'io.kubernetes.pod.namespace': 'default' };
const B = { app: 'b', 'io.cilium.k8s.policy.cluster': C, 'io.kubernetes.pod.namespace': 'default' };

function endpointOp(pod: string, identity: number, labels: Record<string, string>) {
  const ep: EndpointState = { ip: '10.1.0.5', node: 'n1', hostIP: '172.30.1.11', identity, labels, namedPorts: [], ready: true };
  return { op: 'put' as const, key: keys.endpoint(C, 'default', pod), value: JSON.stringify(ep) };
}

function setup() {
  const kv = new MemoryKv();
  const lines: string[] = [];
  const logger = createLogger({}, (l) => lines.push(l));
  let t = 0;
  const gc = startIdentityGc({ kv, cluster: C, logger, graceMs: 1000, intervalMs: 3_600_000, now: () => t });
  const alloc = new IdentityAllocator({ kv, cluster: C, clusterId: 1 });
  return { kv, gc, alloc, lines, at: (ms: number) => void (t = ms) };
}

test('an identity no endpoint references is collected after the grace period, with its index, and logged', async () => {
  const { kv, gc, alloc, lines, at } = setup();
  const id = await alloc.allocate(A);
  at(0);
  assert.deepEqual(await gc.runOnce(), { collected: [], kept: [], pending: 1 });
  at(999);
  assert.deepEqual((await gc.runOnce()).collected, []);
  at(1000);
  assert.deepEqual((await gc.runOnce()).collected, [id]);
  assert.equal(await kv.get(keys.identity(C, id)), undefined);
  assert.equal(await kv.get(keys.identityIndex(C, labelsHash(A))), undefined);
  const log = lines.map((l) => JSON.parse(l) as { msg: string; identity?: number; labels?: string[] }).find((l) => l.msg === 'identity garbage-collected');
  assert.equal(log?.identity, id);
  assert.ok(log?.labels?.includes('app=a'));
  await gc.stop();
});

test('an identity referenced by an endpoint is kept; once the endpoint is gone it is collected', async () => {
  const { kv, gc, alloc, at } = setup();
  const a = await alloc.writeWithIdentity(A, (id) => [endpointOp('pa', id, A)]);
  const b = await alloc.allocate(B);
  at(0);
  await gc.runOnce();
  at(5000);
  assert.deepEqual((await gc.runOnce()).collected, [b]);
  assert.ok((await kv.get(keys.identity(C, a))) !== undefined);
  await kv.delete(keys.endpoint(C, 'default', 'pa'));
  at(6000);
  await gc.runOnce();
  at(7000);
  assert.deepEqual((await gc.runOnce()).collected, [a]);
  await gc.stop();
});

test('touch race: an agent that touches the index between the GC pass and its delete wins', async () => {
  const { kv, gc, alloc, at } = setup();
  const id = await alloc.allocate(A);
  at(0);
  await gc.runOnce();
  at(2000);
  // The agent writes an endpoint with this identity right before the GC's delete transaction.
  const realTxn = kv.txn.bind(kv);
  let raced = false;
  kv.txn = async (compares, ops) => {
    if (!raced && ops.some((o) => o.op === 'delete')) {
      raced = true;
      await alloc.writeWithIdentity(A, (i) => [endpointOp('pa', i, A)]);
    }
    return realTxn(compares, ops);
  };
  const r = await gc.runOnce();
  assert.ok(raced);
  assert.deepEqual(r, { collected: [], kept: [id], pending: 0 });
  assert.ok((await kv.get(keys.identity(C, id))) !== undefined);
  assert.ok((await kv.get(keys.identityIndex(C, labelsHash(A)))) !== undefined);
  // And from now on it is in use.
  at(10_000);
  assert.deepEqual(await gc.runOnce(), { collected: [], kept: [], pending: 0 });
  await gc.stop();
});

test('a touch (new modRevision) while unused restarts the grace period', async () => {
  const { gc, alloc, at } = setup();
  await alloc.allocate(A);
  at(0);
  await gc.runOnce();
  await alloc.allocate(A); // touched, still no endpoint
  at(1500);
  assert.deepEqual((await gc.runOnce()).collected, []);
  at(2500);
  assert.equal((await gc.runOnce()).collected.length, 1);
  await gc.stop();
});
