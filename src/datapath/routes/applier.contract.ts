/**
 * The contract every DatapathApplier passes: the fake in unit tests, the
 * kernel applier inside a network namespace in the integration tests. The
 * subject's node is 172.30.0.11 on an `eth0` in 172.30.0.0/24.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { compileDatapath } from './compile.ts';
import { stateAfter } from './plan.ts';
import type { NodeState, RoutingMode } from '../../model/state.ts';
import type { DatapathApplier, DesiredDatapath, KernelState } from './types.ts';

export interface ApplierSubject {
  /** A new applier on the same kernel: what a restarted agent gets. */
  newApplier(): DatapathApplier;
  readState(): Promise<KernelState>;
  cleanup(): Promise<void>;
}

const EMPTY: DesiredDatapath = { routes: [], warnings: [] };

function peer(i: number): NodeState {
  return { name: `n${i}`, cluster: 'c1', clusterId: 1, ip: `172.30.0.${10 + i}`, podCIDR: `10.244.${i}.0/24`, vtep: '', bootId: 'b', ready: true };
}

export function desiredFor(routingMode: RoutingMode, peers: number[]): DesiredDatapath {
  return compileDatapath({
    self: { name: 'n1', ip: '172.30.0.11', podCIDR: '10.244.1.0/24' },
    routingMode,
    nodes: [peer(1), ...peers.map(peer)],
  });
}

function sorted(s: KernelState): KernelState {
  const by = <T>(key: (x: T) => string) => (a: T, b: T) => key(a).localeCompare(key(b));
  return {
    routes: [...s.routes].sort(by((r) => r.dst)),
    vxlan: s.vxlan,
    neighbours: [...s.neighbours].sort(by((n) => n.ip)),
    fdb: [...s.fdb].sort(by((f) => f.mac + f.dst)),
  };
}

export function datapathApplierContract(name: string, makeSubject: () => Promise<ApplierSubject>): void {
  void describe(`DatapathApplier contract: ${name}`, () => {
    let subject: ApplierSubject;
    let applier: DatapathApplier;
    const converged = async (desired: DesiredDatapath): Promise<void> =>
      assert.deepEqual(sorted(await subject.readState()), sorted(stateAfter(desired)));

    before(async () => {
      subject = await makeSubject();
      applier = subject.newApplier();
    });
    after(async () => subject.cleanup());

    for (const mode of ['native', 'tunnel'] as const) {
      void it(`${mode}: adds what is missing, then a second sync runs no command`, async () => {
        await applier.sync(EMPTY);
        const desired = desiredFor(mode, [2, 3]);
        const first = await applier.sync(desired);
        assert.deepEqual(first.changes, { add: mode === 'native' ? 2 : 6, replace: 0, delete: 0 });
        assert.equal(first.device, mode === 'native' ? 'unchanged' : 'created');
        await converged(desired);
        const second = await applier.sync(desired);
        assert.deepEqual(second.commands, []);
        assert.deepEqual(second.changes, { add: 0, replace: 0, delete: 0 });
      });

      void it(`${mode}: deletes exactly the removed node`, async () => {
        const desired = desiredFor(mode, [2]);
        const report = await applier.sync(desired);
        assert.deepEqual(report.changes, { add: 0, replace: 0, delete: mode === 'native' ? 1 : 3 });
        assert.ok(report.commands.every((c) => /\b(del)\b/.test(c)), report.commands.join('\n'));
        await converged(desired);
      });

      void it(`${mode}: a restarted applier re-reads the kernel and changes nothing that is right`, async () => {
        const desired = desiredFor(mode, [2]);
        const report = await subject.newApplier().sync(desired);
        assert.equal(report.fullResync, true);
        assert.deepEqual(report.commands, []);
        await converged(desired);
      });

      void it(`${mode}: a restarted applier adds a new node without deleting anything`, async () => {
        applier = subject.newApplier();
        const desired = desiredFor(mode, [2, 4]);
        const report = await applier.sync(desired);
        assert.deepEqual(report.changes, { add: mode === 'native' ? 1 : 3, replace: 0, delete: 0 });
        await converged(desired);
      });
    }

    void it('switching back to native deletes the device with its neighbours, FDB and routes', async () => {
      const desired = desiredFor('native', [2, 4]);
      const report = await applier.sync(desired);
      assert.equal(report.device, 'deleted');
      assert.equal(report.changes.add, 2);
      await converged(desired);
    });

    void it('an empty desired state removes everything Weft owns', async () => {
      const report = await applier.sync(EMPTY);
      assert.equal(report.changes.delete, 2);
      assert.deepEqual(await subject.readState(), { routes: [], vxlan: undefined, neighbours: [], fdb: [] });
    });
  });
}
