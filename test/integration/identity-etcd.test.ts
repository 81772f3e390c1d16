/**
 * Identity allocation and garbage collection against a real etcd: two
 * clients (two agents) allocating concurrently, and the collector racing
 * agents that touch identities while writing their endpoints.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { IdentityAllocator } from '../../src/identity/allocator.ts';
import { labelsHash } from '../../src/identity/labels.ts';
import type { KvBackend } from '../../src/kvstore/backend.ts';
import { createEtcdKv } from '../../src/kvstore/etcd.ts';
import { keys } from '../../src/kvstore/keys.ts';
import { IdentityIndexEntry, type EndpointState } from '../../src/model/state.ts';
import { startIdentityGc } from '../../src/operator/identityGc.ts';
import { silentLogger } from '../../src/util/log.ts';
import { startTestEtcd, type TestEtcd } from '../support/etcd.ts';

let etcd: TestEtcd;
let agentA: KvBackend;
let agentB: KvBackend;
let operator: KvBackend;

before(async () => {
  etcd = await startTestEtcd();
  [agentA, agentB, operator] = [1, 2, 3].map(() => createEtcdKv({ endpoints: [etcd.endpoint] })) as [KvBackend, KvBackend, KvBackend];
});
after(async () => {
  await Promise.all([agentA.close(), agentB.close(), operator.close()]);
  await etcd.stop();
});

const labels = (cluster: string, app: string) => ({ app, 'io.cilium.k8s.policy.cluster': cluster, 'io.kubernetes.pod.namespace': 'default' });

function endpointOp(cluster: string, pod: string, identity: number, l: Record<string, string>) {
  const ep: EndpointState = { ip: '10.1.0.5', node: 'n1', hostIP: '172.30.1.11', identity, labels: l, namedPorts: [], ready: true };
  return { op: 'put' as const, key: keys.endpoint(cluster, 'default', pod), value: JSON.stringify(ep) };
}

test('two agents allocating the same label sets concurrently get the same ids; different sets never share one', async () => {
  const a = new IdentityAllocator({ kv: agentA, cluster: 'c1', clusterId: 1 });
  const b = new IdentityAllocator({ kv: agentB, cluster: 'c1', clusterId: 1 });
  const sets = Array.from({ length: 12 }, (_, i) => labels('c1', `app${i}`));
  const [idsA, idsB] = await Promise.all([Promise.all(sets.map((s) => a.allocate(s))), Promise.all([...sets].reverse().map((s) => b.allocate(s)))]);
  assert.deepEqual(idsA, [...idsB].reverse());
  assert.equal(new Set(idsA).size, sets.length);
  for (const id of idsA) assert.ok(id >> 16 === 1 && (id & 0xffff) >= 256, `identity ${id} is of cluster id 1, local >= 256`);
  const stored = await operator.list(keys.identitiesPrefix('c1'));
  assert.equal(stored.entries.length, sets.length);
  for (const [i, s] of sets.entries()) {
    const idx = await operator.get(keys.identityIndex('c1', labelsHash(s)));
    assert.equal(IdentityIndexEntry.parse(JSON.parse(idx?.value ?? 'null')).id, idsA[i]);
  }
});

test('collector vs. an agent touching the identity right before the delete: the agent wins', async () => {
  const cluster = 'c2';
  const alloc = new IdentityAllocator({ kv: agentA, cluster, clusterId: 2 });
  const l = labels(cluster, 'db');
  const id = await alloc.allocate(l);
  let raced = false;
  // The operator's client, with the agent's endpoint write slipped in before the collector's delete.
  const racing: KvBackend = {
    get: (k) => operator.get(k),
    list: (p) => operator.list(p),
    put: (k, v) => operator.put(k, v),
    delete: (k) => operator.delete(k),
    deletePrefix: (p) => operator.deletePrefix(p),
    watch: (p, r, h) => operator.watch(p, r, h),
    close: () => Promise.resolve(),
    txn: async (compares, ops) => {
      if (!raced) {
        raced = true;
        await alloc.writeWithIdentity(l, (i) => [endpointOp(cluster, 'db-0', i, l)]);
      }
      return operator.txn(compares, ops);
    },
  };
  const gc = startIdentityGc({ kv: racing, cluster, logger: silentLogger, graceMs: 0, intervalMs: 3_600_000 });
  const r = await gc.runOnce();
  assert.ok(raced);
  assert.deepEqual(r.kept, [id]);
  assert.deepEqual(r.collected, []);
  assert.ok((await operator.get(keys.identity(cluster, id))) !== undefined);
  // Unused again: collected.
  await agentA.delete(keys.endpoint(cluster, 'default', 'db-0'));
  assert.deepEqual((await gc.runOnce()).collected, [id]);
  assert.equal(await operator.get(keys.identity(cluster, id)), undefined);
  await gc.stop();
});

test('collector running continuously while agents churn endpoints: an endpoint never references a deleted identity', async () => {
  const cluster = 'c3';
  const allocs = [agentA, agentB].map((kv) => new IdentityAllocator({ kv, cluster, clusterId: 3 }));
  const gc = startIdentityGc({ kv: operator, cluster, logger: silentLogger, graceMs: 0, intervalMs: 3_600_000 });
  let stop = false;
  let passes = 0;
  const collector = (async () => {
    while (!stop) {
      await gc.runOnce();
      passes++;
    }
  })();
  const churn = async (n: number): Promise<void> => {
    const alloc = allocs[n % 2];
    if (alloc === undefined) return;
    for (let round = 0; round < 25; round++) {
      const l = labels(cluster, `app${round % 3}`);
      const pod = `p${n}`;
      const id: number = await alloc.writeWithIdentity(l, (i) => [endpointOp(cluster, pod, i, l)]);
      const identity = await operator.get(keys.identity(cluster, id));
      assert.ok(identity !== undefined, `identity ${id} of endpoint ${pod} exists (round ${round})`);
      const idx = await operator.get(keys.identityIndex(cluster, labelsHash(l)));
      assert.equal(IdentityIndexEntry.parse(JSON.parse(idx?.value ?? 'null')).id, id);
      await operator.delete(keys.endpoint(cluster, 'default', pod));
    }
  };
  try {
    await Promise.all([0, 1, 2, 3].map(churn));
  } finally {
    stop = true;
    await collector;
  }
  assert.ok(passes > 0);
  // Nothing uses them any more: all collected.
  await gc.runOnce();
  assert.equal((await operator.list(keys.identitiesPrefix(cluster))).entries.length, 0);
  assert.equal((await operator.list(keys.identityIndexPrefix(cluster))).entries.length, 0);
  await gc.stop();
});
