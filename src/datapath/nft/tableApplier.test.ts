import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WeftError, ErrorCode } from '../../errors.ts';
import { NftTableApplier } from './tableApplier.ts';
import { emptyTableDesired } from './tablePlan.ts';
import type { NftTableDesired } from './tablePlan.ts';
import { compileServices } from '../services/servicesCompile.ts';
import { compileIpcache } from '../policy/ipcache.ts';
import { compilePolicySets } from '../policy/policyCompile.ts';
import { recordingNetTools } from '../netTools.ts';
import type { NetTools } from '../netTools.ts';
import type { NftSession } from './nftSession.ts';
import type { Frontend } from '../services/serviceTypes.ts';
import type { EndpointPolicy } from '../../policy/types.ts';
import { UNENFORCED } from '../../policy/types.ts';

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
const db = (port: number): EndpointPolicy => ({
  namespace: 'default',
  pod: 'db',
  ip: '10.1.0.5',
  identity: 0x10105,
  ingress: { enforced: true, allowAll: false, l3: [], l4: [{ identity: 0x10100, proto: 'tcp', port }], l4Any: [] },
  egress: UNENFORCED,
});

/** A table with only services (no ipcache entry, no policy). */
const services = (frontends: Frontend[]): NftTableDesired => ({ ...emptyTableDesired(), services: compileServices(frontends) });
/** A table with only policy sets. */
const policy = (p: EndpointPolicy[]): NftTableDesired => ({ ...emptyTableDesired(), policy: compilePolicySets(p).endpoints });
/** A table with only an ipcache. */
const ipcache = (entries: { ip: string; identity: number }[]): NftTableDesired => ({ ...emptyTableDesired(), ipcache: compileIpcache(entries) });

const NO_SERVICE_CHANGE = { frontendsChanged: 0, chainsAdded: 0, chainsRewritten: 0, chainsDeleted: 0, elementsAdded: 0, elementsDeleted: 0 };
const NO_CHANGE = { services: NO_SERVICE_CHANGE, ipcache: { added: 0, removed: 0 }, policy: { endpoints: 0, elementsAdded: 0, elementsRemoved: 0 } };

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

void describe('NftTableApplier: services', () => {
  void it('first sync: reads the kernel (no table yet), then ONE transaction with the static table and the elements', async () => {
    const nft = fakeNft();
    const tools = recordingNetTools(nft);
    const r = await new NftTableApplier(tools).sync(services([web('10.244.1.5', '10.244.1.6')]));
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
    const svc = new NftTableApplier(tools);
    await svc.sync(services([web('10.244.1.5', '10.244.1.6')]));
    const before = tools.calls.length;
    const same = await svc.sync(services([web('10.244.1.6', '10.244.1.5')]));
    assert.equal(tools.calls.length, before, 'no command');
    assert.deepEqual(same, { fullResync: false, commands: 0, lines: 0, changes: NO_CHANGE });
    const changed = await svc.sync(services([web('10.244.1.5', '10.244.1.6', '10.244.1.7')]));
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
    const r = await new NftTableApplier(nft).sync(services([web('10.244.1.5')]));
    assert.equal(r.fullResync, true);
    assert.deepEqual(r.changes.services, NO_SERVICE_CHANGE);
    assert.doesNotMatch(nft.applied[0] ?? '', /element|svc-lb/, 'only the static part is re-applied');
  });

  void it('after a failure the next sync re-reads the kernel; markDirty() does the same', async () => {
    const failing = recordingNetTools(fakeNft({ failApply: true }));
    const svc = new NftTableApplier(failing);
    await assert.rejects(svc.sync(services([web('10.244.1.5')])), /Could not process rule/);
    await assert.rejects(svc.sync(services([web('10.244.1.5')])), /Could not process rule/);
    assert.equal(failing.calls.filter((c) => c.args[0] === '-j').length, 2, 'each sync after a failure re-reads');

    const tools = recordingNetTools(fakeNft());
    const ok = new NftTableApplier(tools);
    await ok.sync(services([]));
    ok.markDirty();
    const r = await ok.sync(services([]));
    assert.equal(r.fullResync, true);
    assert.equal(tools.calls.filter((c) => c.args[0] === '-j').length, 2);
  });

  void it('a listing that fails for another reason is an error, not an empty kernel', async () => {
    const tools: NetTools = { run: () => Promise.reject(new WeftError(ErrorCode.CommandFailed, 'nft: Operation not permitted')) };
    await assert.rejects(new NftTableApplier(tools).sync(services([])), /Operation not permitted/);
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
    const svc = new NftTableApplier(tools, { session });
    await svc.sync(services([web('10.244.1.5')]));
    assert.deepEqual(tools.calls.map((c) => c.args.join(' ')), ['-j list table inet weft', '-f -']);
    const r = await svc.sync(services([web('10.244.1.6')]));
    assert.deepEqual(r, { fullResync: false, commands: 1, lines: 2, changes: { ...NO_CHANGE, services: { frontendsChanged: 1, chainsAdded: 0, chainsRewritten: 0, chainsDeleted: 0, elementsAdded: 1, elementsDeleted: 1 } } });
    assert.deepEqual(sent, [['delete element inet weft svc-eps-tcp { 10.96.0.10 . 80 . 0 }', 'add element inet weft svc-eps-tcp { 10.96.0.10 . 80 . 0 : 10.244.1.6 . 8080 }']]);
    assert.equal(tools.calls.length, 2, 'no nft process for it');
    fail = true;
    await assert.rejects(svc.sync(services([web('10.244.1.7')])), /boom/);
    fail = false;
    await svc.sync(services([web('10.244.1.7')]));
    assert.equal(tools.calls.at(-1)?.args.join(' '), '-f -', 'after a failure: re-read and nft -f');
    await svc.sync(services([web('10.244.1.8')]));
    assert.equal(opened, 2, 'the failed session was dropped and a new one opened');
    await svc.close();
  });
});

void describe('NftTableApplier: policy sets', () => {
  const listing = JSON.stringify({
    nftables: [
      { set: { name: 'pol-in-enforced', type: 'ipv4_addr', elem: ['10.1.0.5'] } },
      { set: { name: 'pol-in-l4', type: ['ipv4_addr', 'mark', 'inet_proto', 'inet_service'], elem: [{ concat: ['10.1.0.5', 0x10100, 'tcp', 80] }] } },
    ],
  });

  void it('first sync: one read of the table, the static table in one transaction, nothing the kernel already holds; then nothing', async () => {
    const nft = fakeNft({ listing });
    const tools = recordingNetTools(nft);
    const pol = new NftTableApplier(tools);
    const r1 = await pol.sync(policy([db(80)]));
    assert.deepEqual(r1, { fullResync: true, commands: 2, lines: 0, changes: NO_CHANGE });
    assert.match(nft.applied[0] ?? '', /^add table inet weft\n/);
    assert.doesNotMatch(nft.applied[0] ?? '', /^(flush|delete) (set|map|table)/m);
    const r2 = await pol.sync(policy([db(80)]));
    assert.deepEqual(r2, { fullResync: false, commands: 0, lines: 0, changes: NO_CHANGE });
    assert.equal(tools.calls.length, 2);
  });

  void it('a change goes through the session as element commands; a failure makes the next sync re-read', async () => {
    let failing = false;
    const nft = fakeNft();
    const applied: string[][] = [];
    const session: NftSession = {
      apply: (lines) => (failing ? Promise.reject(new Error('session failed')) : (applied.push([...lines]), Promise.resolve())),
      close: () => Promise.resolve(),
    };
    const pol = new NftTableApplier(nft, { session: () => session });
    await pol.sync(policy([db(80)]));
    assert.match(nft.applied.at(-1) ?? '', /\nadd element inet weft pol-in-enforced \{ 10\.1\.0\.5 \}\nadd element inet weft pol-in-l4 \{ 10\.1\.0\.5 \. 0x10100 \. tcp \. 80 \}\n$/);
    await pol.sync(policy([db(81)]));
    assert.deepEqual(applied, [['delete element inet weft pol-in-l4 { 10.1.0.5 . 0x10100 . tcp . 80 }', 'add element inet weft pol-in-l4 { 10.1.0.5 . 0x10100 . tcp . 81 }']]);
    failing = true;
    await assert.rejects(pol.sync(policy([db(82)])));
    failing = false;
    const r = await pol.sync(policy([db(82)]));
    assert.equal(r.fullResync, true);
  });
});

void describe('NftTableApplier: ipcache', () => {
  void it('first sync reads the kernel; later syncs send only the difference', async () => {
    const calls: { args: readonly string[]; input: string | undefined }[] = [];
    const tools: NetTools = {
      run: (_tool, args, input) => {
        calls.push({ args, input });
        if (args[0] === '-j') return Promise.resolve('{"nftables":[{"map":{"name":"ipcache","elem":[["10.1.0.2",1]]}}]}');
        return Promise.resolve('');
      },
    };
    const applier = new NftTableApplier(tools);
    const r1 = await applier.sync(ipcache([{ ip: '10.1.0.2', identity: 1 }, { ip: '10.1.0.3', identity: 1 }]));
    assert.deepEqual({ ...r1.changes.ipcache, fullResync: r1.fullResync }, { added: 1, removed: 0, fullResync: true });
    assert.match(calls.at(-1)?.input ?? '', /\nadd element inet weft ipcache \{ 10\.1\.0\.3 : 0x1 \}\n$/);
    const before = calls.length;
    const r2 = await applier.sync(ipcache([{ ip: '10.1.0.2', identity: 1 }, { ip: '10.1.0.3', identity: 1 }]));
    assert.deepEqual({ ...r2.changes.ipcache, fullResync: r2.fullResync }, { added: 0, removed: 0, fullResync: false });
    assert.equal(calls.length, before, 'nothing ran');
  });
});

void describe('NftTableApplier: the whole table', () => {
  void it('services, ipcache and policy in ONE transaction, in that order; a full resync is one read whatever the parts', async () => {
    const nft = fakeNft();
    const tools = recordingNetTools(nft);
    const applier = new NftTableApplier(tools);
    const desired: NftTableDesired = { services: compileServices([web('10.244.1.5')]), ipcache: compileIpcache([{ ip: '10.244.1.5', identity: 0x10100 }]), policy: compilePolicySets([db(80)]).endpoints };
    await applier.sync(emptyTableDesired());
    const r = await applier.sync(desired);
    assert.equal(r.commands, 1);
    assert.equal(tools.calls.length, 3, 'read + static table, then one transaction');
    const lines = (nft.applied.at(-1) ?? '').trim().split('\n');
    const first = (what: RegExp): number => lines.findIndex((l) => what.test(l));
    assert.ok(first(/svc-ips/) < first(/ ipcache /) && first(/ ipcache /) < first(/pol-in-/), lines.join('\n'));
    assert.deepEqual(r.changes.ipcache, { added: 1, removed: 0 });
    assert.deepEqual(r.changes.policy, { endpoints: 1, elementsAdded: 2, elementsRemoved: 0 });
  });
});
