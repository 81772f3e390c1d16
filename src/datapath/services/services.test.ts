import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WeftError, ErrorCode } from '../../errors.ts';
import { NftServices } from './services.ts';
import { compileServices } from './servicesCompile.ts';
import { recordingNetTools } from '../netTools.ts';
import type { NetTools } from '../netTools.ts';
import type { NftSession } from '../nft/nftSession.ts';
import type { Frontend } from './serviceTypes.ts';

const be = (ip: string, port: number) => ({ ip, port, cluster: 'c1', preferred: true });
const web = (...ips: string[]): Frontend => ({
  namespace: 'default',
  name: 'web',
  clusterIP: '10.96.0.10',
  port: 80,
  protocol: 'TCP',
  backends: ips.map((ip) => be(ip, 8080)),
  allBackends: [],
});

/** A fake nft: `-j list` answers `listing` (or fails like a missing table); `-f -` succeeds unless `failApply`. */
function fakeNft(opts: { listing?: string; failApply?: boolean } = {}): NetTools & { applied: string[] } {
  const applied: string[] = [];
  return {
    applied,
    run(_tool, args, input) {
      if (args[0] === '-j') {
        if (opts.listing === undefined) return Promise.reject(new WeftError(ErrorCode.CommandFailed, 'nft -j list table inet weft failed: Error: No such file or directory'));
        return Promise.resolve(opts.listing);
      }
      if (opts.failApply === true) return Promise.reject(new WeftError(ErrorCode.CommandFailed, 'nft -f - failed: Error: Could not process rule'));
      applied.push(input ?? '');
      return Promise.resolve('');
    },
  };
}

void describe('NftServices', () => {
  void it('first sync: reads the kernel (no table yet), then ONE transaction with the static table and the elements', async () => {
    const nft = fakeNft();
    const tools = recordingNetTools(nft);
    const r = await new NftServices(tools).sync(compileServices([web('10.244.1.5', '10.244.1.6')]));
    assert.deepEqual(
      tools.calls.map((c) => c.args.join(' ')),
      ['-j list table inet weft', '-f -'],
    );
    assert.equal(r.fullResync, true);
    assert.equal(r.commands, 2);
    const text = nft.applied[0] ?? '';
    assert.match(text, /^add table inet weft\n/);
    assert.match(text, /add chain inet weft svc-nat-prerouting \{ type nat hook prerouting/);
    assert.match(text, /add element inet weft svc-ips \{ 10\.96\.0\.10 \. tcp \. 80 : goto svc-lb-tcp-2 \}\n/);
    assert.doesNotMatch(text, /(flush|delete) table/);
  });

  void it('the same state again runs no command; a change runs one transaction holding only the difference', async () => {
    const tools = recordingNetTools(fakeNft());
    const svc = new NftServices(tools);
    await svc.sync(compileServices([web('10.244.1.5', '10.244.1.6')]));
    const before = tools.calls.length;
    const same = await svc.sync(compileServices([web('10.244.1.6', '10.244.1.5')]));
    assert.equal(tools.calls.length, before, 'no command');
    assert.deepEqual(same, { fullResync: false, commands: 0, lines: 0, changes: { frontendsChanged: 0, chainsAdded: 0, chainsRewritten: 0, chainsDeleted: 0, elementsAdded: 0, elementsDeleted: 0 } });
    const changed = await svc.sync(compileServices([web('10.244.1.5', '10.244.1.6', '10.244.1.7')]));
    assert.equal(tools.calls.length, before + 1);
    assert.equal(changed.commands, 1);
    const text = tools.calls.at(-1)?.input ?? '';
    assert.doesNotMatch(text, /add table/, 'static part only on a full resync');
    assert.deepEqual(text.trim().split('\n'), [
      'add chain inet weft svc-lb-tcp-3',
      'add rule inet weft svc-lb-tcp-3 dnat ip to ip daddr . tcp dport . numgen random mod 3 map @svc-eps-tcp comment "weft: tcp services with 3 backends"',
      'delete element inet weft svc-ips { 10.96.0.10 . tcp . 80 }',
      'add element inet weft svc-ips { 10.96.0.10 . tcp . 80 : goto svc-lb-tcp-3 }',
      'add element inet weft svc-eps-tcp { 10.96.0.10 . 80 . 2 : 10.244.1.7 . 8080 }',
      'flush chain inet weft svc-lb-tcp-2',
      'delete chain inet weft svc-lb-tcp-2',
    ]);
  });

  void it('a restarted applier converges from what the kernel holds, deleting nothing that is right', async () => {
    const listing = JSON.stringify({
      nftables: [
        { map: { name: 'svc-ips', elem: [[{ concat: ['10.96.0.10', 'tcp', 80] }, { goto: { target: 'svc-lb-tcp-1' } }]] } },
        { map: { name: 'svc-eps-tcp', elem: [[{ concat: ['10.96.0.10', 80, 0] }, { concat: ['10.244.1.5', 8080] }]] } },
        { set: { name: 'svc-vips', elem: ['10.96.0.10'] } },
        { chain: { name: 'svc-lb-tcp-1' } },
        { rule: { chain: 'svc-lb-tcp-1', expr: [{ dnat: { addr: { map: { key: { concat: [{ numgen: { mode: 'random', mod: 1, offset: 0 } }] }, data: '@svc-eps-tcp' } } } }] } },
      ],
    });
    const nft = fakeNft({ listing });
    const r = await new NftServices(nft).sync(compileServices([web('10.244.1.5')]));
    assert.equal(r.fullResync, true);
    assert.deepEqual(r.changes, { frontendsChanged: 0, chainsAdded: 0, chainsRewritten: 0, chainsDeleted: 0, elementsAdded: 0, elementsDeleted: 0 });
    assert.doesNotMatch(nft.applied[0] ?? '', /element|svc-lb/, 'only the static part is re-applied');
  });

  void it('after a failure the next sync re-reads the kernel; markDirty() does the same', async () => {
    const failing = recordingNetTools(fakeNft({ failApply: true }));
    const svc = new NftServices(failing);
    await assert.rejects(svc.sync(compileServices([web('10.244.1.5')])), /Could not process rule/);
    await assert.rejects(svc.sync(compileServices([web('10.244.1.5')])), /Could not process rule/);
    assert.equal(failing.calls.filter((c) => c.args[0] === '-j').length, 2, 'each sync after a failure re-reads');

    const tools = recordingNetTools(fakeNft());
    const ok = new NftServices(tools);
    await ok.sync(compileServices([]));
    ok.markDirty();
    const r = await ok.sync(compileServices([]));
    assert.equal(r.fullResync, true);
    assert.equal(tools.calls.filter((c) => c.args[0] === '-j').length, 2);
  });

  void it('a listing that fails for another reason is an error, not an empty kernel', async () => {
    const tools: NetTools = { run: () => Promise.reject(new WeftError(ErrorCode.CommandFailed, 'nft: Operation not permitted')) };
    await assert.rejects(new NftServices(tools).sync(compileServices([])), /Operation not permitted/);
  });

  void it('with a session: full resyncs go through nft -f, the small transactions after them through the session', async () => {
    const sent: string[][] = [];
    let opened = 0;
    let fail = false;
    const session = (): NftSession => {
      opened++;
      return {
        apply: (lines) => {
          sent.push([...lines]);
          return fail ? Promise.reject(new WeftError(ErrorCode.CommandFailed, 'nft -i failed: Error: boom')) : Promise.resolve();
        },
        close: () => Promise.resolve(),
      };
    };
    const tools = recordingNetTools(fakeNft());
    const svc = new NftServices(tools, { session });
    await svc.sync(compileServices([web('10.244.1.5')]));
    assert.deepEqual(tools.calls.map((c) => c.args.join(' ')), ['-j list table inet weft', '-f -']);
    const r = await svc.sync(compileServices([web('10.244.1.6')]));
    assert.deepEqual(r, { fullResync: false, commands: 1, lines: 2, changes: { frontendsChanged: 1, chainsAdded: 0, chainsRewritten: 0, chainsDeleted: 0, elementsAdded: 1, elementsDeleted: 1 } });
    assert.deepEqual(sent, [['delete element inet weft svc-eps-tcp { 10.96.0.10 . 80 . 0 }', 'add element inet weft svc-eps-tcp { 10.96.0.10 . 80 . 0 : 10.244.1.6 . 8080 }']]);
    assert.equal(tools.calls.length, 2, 'no nft process for it');
    fail = true;
    await assert.rejects(svc.sync(compileServices([web('10.244.1.7')])), /boom/);
    fail = false;
    await svc.sync(compileServices([web('10.244.1.7')]));
    assert.equal(tools.calls.at(-1)?.args.join(' '), '-f -', 'after a failure: re-read and nft -f');
    await svc.sync(compileServices([web('10.244.1.8')]));
    assert.equal(opened, 2, 'the failed session was dropped and a new one opened');
    await svc.close();
  });
});
