import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { planSync, stateAfter } from './plan.ts';
import { desiredFor } from './applier.contract.ts';
import type { KernelState } from './types.ts';

const EMPTY: KernelState = { routes: [], vxlan: undefined, neighbours: [], fdb: [] };

void describe('planSync', () => {
  void it('native from nothing: one route replace per remote node (golden)', () => {
    const plan = planSync(desiredFor('native', [2, 3]), EMPTY);
    assert.deepEqual(plan, {
      device: 'unchanged',
      ipLines: ['route replace 10.244.2.0/24 via 172.30.0.12 dev eth0 proto 157', 'route replace 10.244.3.0/24 via 172.30.0.13 dev eth0 proto 157'],
      bridgeLines: [],
      changes: { add: 2, replace: 0, delete: 0 },
    });
  });

  void it('tunnel from nothing: device, neighbours, onlink routes, then FDB (golden)', () => {
    const plan = planSync(desiredFor('tunnel', [2]), EMPTY);
    assert.deepEqual(plan, {
      device: 'created',
      ipLines: [
        'link add weft_vxlan address 0e:57:ac:1e:00:0b type vxlan id 1 local 172.30.0.11 dstport 8472 nolearning dev eth0',
        'link set dev weft_vxlan up',
        'neigh replace 10.244.2.0 lladdr 0e:57:ac:1e:00:0c dev weft_vxlan nud permanent',
        'route replace 10.244.2.0/24 via 10.244.2.0 dev weft_vxlan proto 157 onlink',
      ],
      bridgeLines: ['fdb replace 0e:57:ac:1e:00:0c dev weft_vxlan dst 172.30.0.12 self permanent'],
      changes: { add: 3, replace: 0, delete: 0 },
    });
  });

  void it('nothing to do when the kernel already matches', () => {
    for (const mode of ['native', 'tunnel'] as const) {
      const desired = desiredFor(mode, [2, 3]);
      const plan = planSync(desired, stateAfter(desired));
      assert.deepEqual([plan.ipLines, plan.bridgeLines, plan.device], [[], [], 'unchanged']);
    }
  });

  void it('replaces what changed and deletes what is stale, including duplicates at other metrics', () => {
    const desired = desiredFor('tunnel', [2]);
    const kernel = stateAfter(desiredFor('tunnel', [3]));
    kernel.routes.push({ dst: '10.244.2.0/24', via: '10.244.2.0', dev: 'weft_vxlan', onlink: false, metric: 0 });
    kernel.routes.push({ dst: '10.244.2.0/24', via: '10.244.2.0', dev: 'weft_vxlan', onlink: true, metric: 100 });
    kernel.neighbours.push({ ip: '10.244.2.0', mac: '0e:57:ac:1e:00:0c', permanent: false });
    kernel.fdb.push({ mac: '0e:57:ac:1e:00:0c', dst: '172.30.0.99', permanent: true }, { mac: '0e:57:ac:1e:00:0c', dst: '172.30.0.12', permanent: true });
    const plan = planSync(desired, kernel);
    assert.deepEqual(plan.ipLines, [
      'route del 10.244.3.0/24 proto 157',
      'route del 10.244.2.0/24 proto 157 metric 100',
      'neigh del 10.244.3.0 dev weft_vxlan',
      'neigh replace 10.244.2.0 lladdr 0e:57:ac:1e:00:0c dev weft_vxlan nud permanent',
      'route replace 10.244.2.0/24 via 10.244.2.0 dev weft_vxlan proto 157 onlink',
    ]);
    assert.deepEqual(plan.bridgeLines, [
      'fdb del 0e:57:ac:1e:00:0d dev weft_vxlan dst 172.30.0.13 self',
      'fdb del 0e:57:ac:1e:00:0c dev weft_vxlan dst 172.30.0.99 self',
      'fdb replace 0e:57:ac:1e:00:0c dev weft_vxlan dst 172.30.0.12 self permanent',
    ]);
    assert.deepEqual(plan.changes, { add: 0, replace: 3, delete: 5 });
  });

  void it('recreating the device re-adds everything on it without deleting it first', () => {
    const desired = desiredFor('tunnel', [2]);
    const kernel = stateAfter(desired);
    kernel.vxlan = { ...kernel.vxlan!, localIp: '172.30.0.99' };
    const plan = planSync(desired, kernel);
    assert.equal(plan.device, 'recreated');
    assert.equal(plan.ipLines[0], 'link del dev weft_vxlan');
    assert.ok(!plan.ipLines.some((l) => l.startsWith('route del') || l.startsWith('neigh del')));
    assert.deepEqual(plan.changes, { add: 3, replace: 0, delete: 0 });
  });

  void it('switching to native deletes the device and replaces the routes', () => {
    const plan = planSync(desiredFor('native', [2]), stateAfter(desiredFor('tunnel', [2, 3])));
    assert.deepEqual(plan.ipLines, ['link del dev weft_vxlan', 'route replace 10.244.2.0/24 via 172.30.0.12 dev eth0 proto 157']);
    assert.deepEqual(plan.bridgeLines, []);
  });
});
