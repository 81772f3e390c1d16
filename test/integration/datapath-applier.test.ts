/**
 * The DatapathApplier contract against the real kernel, inside a throwaway
 * netns (wf-it-dp-c) whose eth0 holds 172.30.0.11/24; plus what only the
 * kernel applier can show: failures force a re-read, outside changes are
 * repaired on the next full resync, routes of other owners are never touched.
 * And the TableApplier contract: NftTableApplier on table inet weft (wf-it-dp-t).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { exec } from '../../src/util/exec.ts';
import { datapathApplierContract, desiredFor } from '../../src/datapath/routes/applier.contract.ts';
import { KernelDatapathApplier } from '../../src/datapath/routes/apply.ts';
import { readKernelState } from '../../src/datapath/routes/kernelState.ts';
import { netnsNetTools, recordingNetTools } from '../../src/datapath/netTools.ts';
import { ensureVxlanDevice, deleteVxlanDevice } from '../../src/datapath/routes/vxlanDevice.ts';
import { tableApplierContract } from '../../src/datapath/nft/tableApplier.contract.ts';
import { NftTableApplier } from '../../src/datapath/nft/tableApplier.ts';
import { readTableState } from '../../src/datapath/nft/tableKernel.ts';
import { spawnNftSession } from '../../src/datapath/nft/nftSession.ts';

async function makeNetns(name: string): Promise<() => Promise<void>> {
  await exec('ip', ['netns', 'add', name]);
  const script = ['link add eth0 type veth peer name peer0', 'addr add 172.30.0.11/24 dev eth0', 'link set eth0 up', 'link set peer0 up', 'link set lo up'];
  await exec('ip', ['-n', name, '-batch', '-'], { input: `${script.join('\n')}\n` });
  return async () => {
    await exec('ip', ['netns', 'del', name], { okCodes: [0, 1] });
  };
}

datapathApplierContract('KernelDatapathApplier in a netns', async () => {
  const cleanup = await makeNetns('wf-it-dp-c');
  const tools = netnsNetTools('wf-it-dp-c');
  return { newApplier: () => new KernelDatapathApplier({ tools }), readState: () => readKernelState(tools), cleanup };
});

// The one applier of table inet weft, with its long-lived nft -i, on a real table.
tableApplierContract('NftTableApplier in a netns', async () => {
  const cleanup = await makeNetns('wf-it-dp-t');
  const tools = netnsNetTools('wf-it-dp-t');
  return {
    newApplier: () => new NftTableApplier(tools, { session: () => spawnNftSession(['ip', 'netns', 'exec', 'wf-it-dp-t', 'nft']) }),
    readState: () => readTableState(tools),
    cleanup,
  };
});

void describe('KernelDatapathApplier on the kernel', () => {
  const ns = 'wf-it-dp-k';
  const tools = netnsNetTools(ns);
  let cleanup: () => Promise<void>;
  before(async () => {
    cleanup = await makeNetns(ns);
  });
  after(async () => cleanup());

  void it('leaves routes of other owners alone, even to the same kind of destination', async () => {
    await exec('ip', ['-n', ns, 'route', 'add', '10.99.0.0/24', 'via', '172.30.0.99', 'dev', 'eth0']);
    const report = await new KernelDatapathApplier({ tools }).sync({ routes: [], warnings: [] });
    assert.deepEqual(report.commands, []);
    assert.match(await exec('ip', ['-n', ns, 'route', 'show', '10.99.0.0/24']), /via 172\.30\.0\.99/);
  });

  void it('throws on a failed batch, then re-reads the kernel and converges', async () => {
    const applier = new KernelDatapathApplier({ tools });
    const bad = desiredFor('native', [2]);
    bad.routes.push({ dst: '10.244.9.0/24', via: '172.30.0.19', dev: 'nosuchdev', onlink: false });
    await assert.rejects(applier.sync(bad), /nosuchdev|Cannot find device/);
    const good = desiredFor('native', [2, 3]);
    const report = await applier.sync(good);
    assert.equal(report.fullResync, true);
    assert.deepEqual(report.changes, { add: 1, replace: 0, delete: 0 }); // -force applied the valid line of the failed batch
    assert.deepEqual((await readKernelState(tools)).routes.map((r) => r.dst).sort(), ['10.244.2.0/24', '10.244.3.0/24']);
  });

  void it('repairs an outside deletion on the next full resync, and only then', async () => {
    const rec = recordingNetTools(tools);
    const applier = new KernelDatapathApplier({ tools: rec });
    const desired = desiredFor('tunnel', [2, 3]);
    await applier.sync(desired);
    await exec('ip', ['-n', ns, 'route', 'del', '10.244.3.0/24']);
    await exec('bridge', ['-n', ns, 'fdb', 'del', '0e:57:ac:1e:00:0c', 'dev', 'weft_vxlan', 'dst', '172.30.0.12', 'self']);
    rec.calls.length = 0;
    assert.deepEqual((await applier.sync(desired)).commands, []);
    assert.deepEqual(rec.calls, [], 'a sync with an unchanged desired state runs no command at all');
    applier.markDirty();
    const repaired = await applier.sync(desired);
    assert.deepEqual(repaired.changes, { add: 2, replace: 0, delete: 0 });
    assert.deepEqual(await applier.sync(desired).then((r) => r.commands), []);
  });

  void it('ensureVxlanDevice creates, keeps, updates and recreates the device', async () => {
    await deleteVxlanDevice(tools);
    const spec = desiredFor('tunnel', [2]).vxlan!;
    assert.equal(await ensureVxlanDevice(tools, spec), 'created');
    assert.equal(await ensureVxlanDevice(tools, spec), 'unchanged');
    await exec('ip', ['-n', ns, 'link', 'set', 'weft_vxlan', 'down']);
    assert.equal(await ensureVxlanDevice(tools, spec), 'updated');
    assert.equal(await ensureVxlanDevice(tools, { ...spec, underlayDev: 'peer0' }), 'recreated');
    assert.equal((await readKernelState(tools)).vxlan?.underlayDev, 'peer0');
    assert.equal(await deleteVxlanDevice(tools), true);
    assert.equal(await deleteVxlanDevice(tools), false);
  });
});
