import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NftPolicy } from './policy.ts';
import { compilePolicySets } from './policyCompile.ts';
import type { NetTools } from '../netTools.ts';
import type { NftSession } from '../nft/nftSession.ts';
import type { EndpointPolicy } from '../../policy/types.ts';
import { UNENFORCED } from '../../policy/types.ts';

const db = (port: number): EndpointPolicy => ({
  namespace: 'default',
  pod: 'db',
  ip: '10.1.0.5',
  identity: 0x10105,
  ingress: { enforced: true, allowAll: false, l3: [], l4: [{ identity: 0x10100, proto: 'tcp', port }], l4Any: [] },
  egress: UNENFORCED,
});

/** Fake nft: the kernel holds `kernel` (set name → elements JSON list). */
function fakeTools(kernel: Record<string, unknown[]>, fail?: () => boolean): NetTools & { calls: string[][]; inputs: string[] } {
  const calls: string[][] = [];
  const inputs: string[] = [];
  return {
    calls,
    inputs,
    run: (_tool, args, input) => {
      calls.push([...args]);
      if (input !== undefined) inputs.push(input);
      if (fail?.() === true) return Promise.reject(new Error('nft failed'));
      if (args[0] === '-j') {
        const name = args.at(-1) ?? '';
        const type = name.endsWith('enforced') ? 'ipv4_addr' : name.endsWith('l4') ? ['ipv4_addr', 'mark', 'inet_proto', 'inet_service'] : ['ipv4_addr', 'mark'];
        return Promise.resolve(JSON.stringify({ nftables: [{ set: { name, type, elem: kernel[name] } }] }));
      }
      return Promise.resolve('');
    },
  };
}

void describe('NftPolicy', () => {
  void it('first sync: static table, reads the 8 sets, applies only what the kernel lacks; then nothing', async () => {
    const tools = fakeTools({ 'pol-in-enforced': ['10.1.0.5'], 'pol-in-l4': [{ concat: ['10.1.0.5', 0x10100, 'tcp', 80] }] });
    const pol = new NftPolicy(tools);
    const r1 = await pol.sync(compilePolicySets([db(80)]));
    assert.deepEqual(r1, { fullResync: true, commands: 9, lines: 0, changes: { endpoints: 0, elementsAdded: 0, elementsRemoved: 0 } });
    assert.match(tools.inputs[0] ?? '', /^add table inet weft\n/);
    assert.doesNotMatch(tools.inputs[0] ?? '', /^(flush|delete) (set|map|table)/m);
    const r2 = await pol.sync(compilePolicySets([db(80)]));
    assert.deepEqual(r2, { fullResync: false, commands: 0, lines: 0, changes: { endpoints: 0, elementsAdded: 0, elementsRemoved: 0 } });
    assert.equal(tools.calls.length, 9);
  });
  void it('a change goes through the session as element commands; a failure makes the next sync re-read', async () => {
    let failing = false;
    const tools = fakeTools({}, () => failing);
    const applied: string[][] = [];
    const session: NftSession = {
      apply: (lines) => (failing ? Promise.reject(new Error('session failed')) : (applied.push([...lines]), Promise.resolve())),
      close: () => Promise.resolve(),
    };
    const pol = new NftPolicy(tools, { session: () => session });
    await pol.sync(compilePolicySets([db(80)]));
    assert.match(tools.inputs.at(-1) ?? '', /^add element inet weft pol-in-enforced \{ 10\.1\.0\.5 \}\nadd element inet weft pol-in-l4 \{ 10\.1\.0\.5 \. 0x10100 \. tcp \. 80 \}\n$/);
    await pol.sync(compilePolicySets([db(81)]));
    assert.deepEqual(applied, [['delete element inet weft pol-in-l4 { 10.1.0.5 . 0x10100 . tcp . 80 }', 'add element inet weft pol-in-l4 { 10.1.0.5 . 0x10100 . tcp . 81 }']]);
    failing = true;
    await assert.rejects(pol.sync(compilePolicySets([db(82)])));
    failing = false;
    const r = await pol.sync(compilePolicySets([db(82)]));
    assert.equal(r.fullResync, true);
  });
});
