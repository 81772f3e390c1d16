/**
 * The contract every TableApplier passes: the fake in unit tests
 * (fake.test.ts), NftTableApplier inside a network namespace in the
 * integration tests (test/integration/datapath-applier.test.ts). The table is
 * compared in the planners' form: per frontend, per ipcache entry, per
 * policy endpoint, by signature.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { compileServices } from '../services/servicesCompile.ts';
import { be, fe } from '../services/testFixtures.ts';
import { compileIpcache } from '../policy/ipcache.ts';
import { compilePolicySets } from '../policy/policyCompile.ts';
import { UNENFORCED } from '../../policy/types.ts';
import type { EndpointPolicy } from '../../policy/types.ts';
import { emptyTableDesired } from './tablePlan.ts';
import type { NftTableDesired, NftTableState } from './tablePlan.ts';
import type { TableApplier } from './tableApplier.ts';

export interface TableApplierSubject {
  /** A new applier on the same table: what a restarted agent gets. */
  newApplier(): TableApplier;
  readState(): Promise<NftTableState>;
  cleanup(): Promise<void>;
}

/** The table in comparable form. */
export function tableSnapshot(s: NftTableState): Record<string, unknown> {
  const sorted = <V>(m: ReadonlyMap<string, V>, f: (v: V) => unknown): [string, unknown][] => [...m].map(([k, v]): [string, unknown] => [k, f(v)]).sort((a, b) => a[0].localeCompare(b[0]));
  return {
    frontends: sorted(s.services.frontends, (f) => f.signature),
    vips: [...s.services.vips].sort(),
    chains: sorted(s.services.chains, (c) => c),
    ipcache: sorted(s.ipcache, (v) => v),
    policy: sorted(s.policy, (e) => e.signature),
  };
}

const db = (port: number): EndpointPolicy => ({
  namespace: 'default',
  pod: 'db',
  ip: '10.1.0.5',
  identity: 0x10105,
  ingress: { enforced: true, allowAll: false, l3: [0x10101], l4: [{ identity: 0x10100, proto: 'tcp', port }], l4Any: [] },
  egress: UNENFORCED,
});

/** A node's table: two services (one without backends), the ipcache of the mesh, one enforcing endpoint. */
export function tableFor(webBackends: readonly string[], opts: { dbPort?: number; peers?: number } = {}): NftTableDesired {
  const endpoints = [{ ip: '10.1.0.5', identity: 0x10105 }, ...Array.from({ length: opts.peers ?? 2 }, (_, i) => ({ ip: `10.1.1.${i + 1}`, identity: 0x10100 + i }))];
  return {
    services: compileServices([
      fe('web', '10.96.0.10', 80, 'TCP', webBackends.map((ip) => be(ip, 8080))),
      fe('dns', '10.96.0.20', 53, 'UDP', [be('10.1.1.1', 5353)]),
      fe('empty', '10.96.0.30', 80, 'TCP', []),
    ]),
    ipcache: compileIpcache(endpoints, { selfIp: '172.30.0.11', nodeIps: ['172.30.0.12'] }),
    policy: compilePolicySets([db(opts.dbPort ?? 6379)]).endpoints,
  };
}

const NO_SERVICE_CHANGE = { frontendsChanged: 0, chainsAdded: 0, chainsRewritten: 0, chainsDeleted: 0, elementsAdded: 0, elementsDeleted: 0 };
const NO_CHANGE = { services: NO_SERVICE_CHANGE, ipcache: { added: 0, removed: 0 }, policy: { endpoints: 0, elementsAdded: 0, elementsRemoved: 0 } };

export function tableApplierContract(name: string, makeSubject: () => Promise<TableApplierSubject>): void {
  void describe(`TableApplier contract: ${name}`, () => {
    let subject: TableApplierSubject;
    let applier: TableApplier;
    const converged = async (desired: NftTableDesired): Promise<void> => {
      const want = tableSnapshot({ services: { frontends: desired.services.frontends, vips: desired.services.vips, chains: new Map([...desired.services.chains].map(([k, c]) => [k, c.signature])) }, ipcache: desired.ipcache, policy: desired.policy });
      assert.deepEqual(tableSnapshot(await subject.readState()), want);
    };

    before(async () => {
      subject = await makeSubject();
      applier = subject.newApplier();
    });
    after(async () => {
      await applier.close();
      await subject.cleanup();
    });

    void it('first sync: reads the table and writes everything in one transaction; the same state again runs nothing', async () => {
      const desired = tableFor(['10.1.1.1', '10.1.1.2']);
      const first = await applier.sync(desired);
      assert.equal(first.fullResync, true);
      assert.equal(first.commands, 2, 'one read, one transaction');
      assert.equal(first.changes.services.frontendsChanged, 3);
      assert.deepEqual(first.changes.ipcache, { added: 5, removed: 0 });
      assert.deepEqual(first.changes.policy, { endpoints: 1, elementsAdded: 3, elementsRemoved: 0 });
      await converged(desired);
      const again = await applier.sync(tableFor(['10.1.1.2', '10.1.1.1']));
      assert.deepEqual(again, { fullResync: false, commands: 0, lines: 0, changes: NO_CHANGE });
    });

    void it('one backend change is one transaction touching only that service', async () => {
      const desired = tableFor(['10.1.1.1', '10.1.1.3']);
      const r = await applier.sync(desired);
      assert.equal(r.commands, 1);
      assert.deepEqual(r.changes, { ...NO_CHANGE, services: { ...NO_SERVICE_CHANGE, frontendsChanged: 1, elementsAdded: 1, elementsDeleted: 1 } });
      await converged(desired);
    });

    void it('ipcache, policy and services changed together are still one transaction', async () => {
      const desired = tableFor(['10.1.1.1'], { dbPort: 6380, peers: 3 });
      const r = await applier.sync(desired);
      assert.equal(r.commands, 1);
      assert.deepEqual(r.changes.ipcache, { added: 1, removed: 0 });
      assert.deepEqual(r.changes.policy, { endpoints: 1, elementsAdded: 1, elementsRemoved: 1 });
      assert.equal(r.changes.services.frontendsChanged, 1);
      await converged(desired);
    });

    void it('a restarted applier reads the table back and changes nothing that is right', async () => {
      await applier.close();
      applier = subject.newApplier();
      const desired = tableFor(['10.1.1.1'], { dbPort: 6380, peers: 3 });
      const r = await applier.sync(desired);
      assert.equal(r.fullResync, true);
      assert.equal(r.lines, 0);
      assert.deepEqual(r.changes, NO_CHANGE);
      await converged(desired);
    });

    void it('markDirty() makes the next sync read the table back', async () => {
      applier.markDirty();
      const r = await applier.sync(tableFor(['10.1.1.1'], { dbPort: 6380, peers: 3 }));
      assert.equal(r.fullResync, true);
      assert.deepEqual(r.changes, NO_CHANGE);
    });

    void it('an empty desired table removes every element and every svc-lb chain', async () => {
      const r = await applier.sync(emptyTableDesired());
      assert.equal(r.commands, 1);
      assert.deepEqual(r.changes.ipcache, { added: 0, removed: 6 });
      assert.deepEqual(tableSnapshot(await subject.readState()), { frontends: [], vips: [], chains: [], ipcache: [], policy: [] });
    });
  });
}
