import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DatapathSync } from './datapathSync.ts';
import type { DatapathSyncInput } from './datapathSync.ts';
import { FakeDatapathApplier } from '../datapath/routes/fake.ts';
import { FakeTableApplier } from '../datapath/nft/fake.ts';
import { createLogger } from '../util/log.ts';
import type { EndpointState, NodeState } from '../model/state.ts';
import type { EndpointPolicy } from '../policy/types.ts';
import { UNENFORCED } from '../policy/types.ts';

const node = (name: string, ip: string, podCIDR: string, cluster = 'c1'): NodeState => ({ name, cluster, clusterId: 1, ip, podCIDR, vtep: '', bootId: 'b', ready: true });
const ep = (ip: string, identity: number): EndpointState => ({ ip, node: 'n2', hostIP: '', identity, labels: {}, namedPorts: [], ready: true });
const be = (ip: string) => ({ ip, port: 8080, cluster: 'c1', preferred: true, ready: true });
const dbPolicy: EndpointPolicy = {
  namespace: 'default',
  pod: 'db',
  ip: '10.244.1.5',
  identity: 0x10105,
  ingress: { enforced: true, allowAll: false, l3: [0x10100], l4: [], l4Any: [] },
  egress: UNENFORCED,
};

function input(over: Partial<DatapathSyncInput> = {}): DatapathSyncInput {
  return {
    nodes: [node('n1', '172.30.0.11', '10.244.1.0/24'), node('n2', '172.30.0.12', '10.244.2.0/24'), node('n1', '172.31.0.11', '10.245.1.0/24', 'c2')],
    endpoints: [ep('10.244.2.7', 0x10100), ep('10.244.2.8', 0)],
    frontends: [{ namespace: 'default', name: 'web', clusterIP: '10.96.0.10', port: 80, protocol: 'TCP', portName: '', backends: [be('10.244.2.7')], allBackends: [be('10.244.2.7')] }],
    policies: [dbPolicy],
    ...over,
  };
}

function subject(): { sync: DatapathSync; routes: FakeDatapathApplier; table: FakeTableApplier; logs: Record<string, unknown>[] } {
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger({}, (line) => void logs.push(JSON.parse(line) as Record<string, unknown>));
  const routes = new FakeDatapathApplier();
  const table = new FakeTableApplier();
  const sync = new DatapathSync({ self: { cluster: 'c1', clusterId: 1, node: 'n1', ip: '172.30.0.11' }, routingMode: 'native', logger, routes, table });
  return { sync, routes, table, logs };
}

void describe('DatapathSync', () => {
  void it('one sync: the routes of the other nodes (every cluster), and ONE table sync holding services, ipcache and policy', async () => {
    const s = subject();
    await s.sync.sync(input());
    assert.deepEqual(s.routes.last?.routes.map((r) => r.dst).sort(), ['10.244.2.0/24', '10.245.1.0/24']);
    assert.equal(s.table.history.length, 1);
    const t = s.table.last;
    assert.ok(t);
    assert.deepEqual([...t.services.frontends.keys()], ['10.96.0.10 . tcp . 80']);
    // Identity 0 left out; this node → host (1), the other nodes → remote-node (6).
    assert.deepEqual(Object.fromEntries(t.ipcache), { '10.244.2.7': '0x10100', '172.30.0.12': '0x6', '172.31.0.11': '0x6', '172.30.0.11': '0x1' });
    assert.deepEqual([...t.policy.keys()], ['10.244.1.5']);
    assert.ok(s.logs.some((l) => l['msg'] === 'nft table synced'), JSON.stringify(s.logs));
  });

  void it('an identical second sync changes nothing and logs nothing; without policies every policy element goes', async () => {
    const s = subject();
    await s.sync.sync(input());
    const logged = s.logs.length;
    await s.sync.sync(input());
    assert.equal(s.logs.length, logged);
    assert.deepEqual(s.table.table.state.policy.size, 1);
    const { policies: _, ...withoutPolicies } = input();
    await s.sync.sync(withoutPolicies);
    assert.equal(s.table.table.state.policy.size, 0);
  });

  void it('does nothing until this node is known with a PodCIDR', async () => {
    const s = subject();
    await s.sync.sync(input({ nodes: [node('n2', '172.30.0.12', '10.244.2.0/24')] }));
    await s.sync.sync(input({ nodes: [node('n1', '172.30.0.11', '')] }));
    assert.equal(s.routes.history.length, 0);
    assert.equal(s.table.history.length, 0);
  });

  void it('markDirty() makes the next table sync a full resync; close() closes the table applier', async () => {
    const s = subject();
    await s.sync.sync(input());
    s.sync.markDirty();
    await s.sync.sync(input());
    assert.equal(s.table.history.length, 2);
    assert.ok(s.logs.filter((l) => l['msg'] === 'nft table synced').length === 1, 'a full resync that changes nothing logs nothing');
    await s.sync.close();
    assert.equal(s.table.closed, true);
  });

  void it('a failed table sync throws to the caller; the next sync converges from a full resync', async () => {
    const s = subject();
    s.table.failNext(new Error('nft: boom'));
    await assert.rejects(s.sync.sync(input()), /boom/);
    await s.sync.sync(input());
    assert.equal(s.table.table.state.services.frontends.size, 1);
  });

  void it('logs skipped inputs once, not on every sync', async () => {
    const s = subject();
    const bad = input({ policies: [{ ...dbPolicy, ip: 'nope' }] });
    await s.sync.sync(bad);
    await s.sync.sync(bad);
    assert.equal(s.logs.filter((l) => l['msg'] === 'policy entries skipped').length, 1);
  });
});

void describe('DatapathSync metrics', () => {
  void it('a sync reports its duration, what the table holds and the local endpoints; a failed one counts an error', async () => {
    const seen: { ok: [number, Record<string, number>, number][]; failed: number[] } = { ok: [], failed: [] };
    const logger = createLogger({}, () => undefined);
    const table = new FakeTableApplier();
    const sync = new DatapathSync({
      self: { cluster: 'c1', clusterId: 1, node: 'n2', ip: '172.30.0.12' },
      routingMode: 'native',
      logger,
      routes: new FakeDatapathApplier(),
      table,
      metrics: { synced: (s, e, l) => void seen.ok.push([s, { ...e }, l]), failed: (s) => void seen.failed.push(s) },
    });
    const local = (ip: string): EndpointState => ({ ...ep(ip, 0x10100), hostIP: '172.30.0.12' });
    await sync.sync(input({ endpoints: [local('10.244.2.7'), local('10.244.2.9'), ep('10.245.1.4', 0x20100)] }));
    assert.equal(seen.ok.length, 1);
    const [seconds, elements, endpoints] = seen.ok[0] ?? [];
    assert.ok(typeof seconds === 'number' && seconds >= 0 && seconds < 5);
    // 1 frontend with 1 backend; ipcache: 3 endpoints + 3 nodes; the db policy's elements.
    assert.deepEqual({ ...elements, policy: undefined }, { services: 1, backends: 1, ipcache: 6, policy: undefined });
    assert.ok((elements?.['policy'] ?? 0) > 0);
    assert.equal(endpoints, 2);
    table.failNext(new Error('nft: boom'));
    await assert.rejects(sync.sync(input()), /boom/);
    assert.equal(seen.failed.length, 1);
    assert.equal(seen.ok.length, 1);
  });
});
