import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WeftError, ErrorCode } from '../../errors.ts';
import { parseTableState, readPolicySets, readTableState } from './tableKernel.ts';
import type { NetTools } from '../netTools.ts';

const LISTING = JSON.stringify({
  nftables: [
    { metainfo: { version: '1.0.6' } },
    { map: { name: 'ipcache', type: 'ipv4_addr', map: 'mark', elem: [['10.1.0.2', 0x10100]] } },
    { set: { name: 'pol-in-enforced', type: 'ipv4_addr', elem: ['10.1.0.5'] } },
    { set: { name: 'pol-drops-in-ep', type: 'ipv4_addr', elem: [{ elem: { val: '10.1.0.5', counter: { packets: 1, bytes: 60 } } }] } },
    { map: { name: 'svc-ips', elem: [[{ concat: ['10.96.0.10', 'tcp', 80] }, { goto: { target: 'svc-lb-tcp-1' } }]] } },
    { set: { name: 'svc-vips', elem: ['10.96.0.10'] } },
  ],
});

test('one listing of the table gives every part: services, ipcache, policy sets (drop sets ignored)', () => {
  const s = parseTableState(LISTING);
  assert.deepEqual([...s.ipcache], [['10.1.0.2', '0x10100']]);
  assert.deepEqual([...s.policy.keys()], ['10.1.0.5']);
  assert.deepEqual([...(s.policy.get('10.1.0.5')?.sets ?? [])], [['pol-in-enforced', ['10.1.0.5']]]);
  assert.deepEqual([...s.services.frontends.keys()], ['10.96.0.10 . tcp . 80']);
  assert.deepEqual([...s.services.vips], ['10.96.0.10']);
  assert.throws(() => parseTableState('Error: oops'), /cannot parse nft -j output for table inet weft: Error: oops/);
});

test('no table (a fresh node) reads as an empty table; any other failure is an error', async () => {
  const missing: NetTools = { run: () => Promise.reject(new WeftError(ErrorCode.CommandFailed, 'nft -j list table inet weft failed (exit 1): Error: No such file or directory')) };
  const empty = await readTableState(missing);
  assert.equal(empty.services.frontends.size + empty.ipcache.size + empty.policy.size, 0);
  const denied: NetTools = { run: () => Promise.reject(new WeftError(ErrorCode.CommandFailed, 'nft: Operation not permitted')) };
  await assert.rejects(readTableState(denied), /Operation not permitted/);
  const calls: string[][] = [];
  const ok: NetTools = { run: (_t, args) => (calls.push([...args]), Promise.resolve(LISTING)) };
  assert.deepEqual([...(await readPolicySets(ok)).keys()], ['10.1.0.5']);
  assert.deepEqual(calls, [['-j', 'list', 'table', 'inet', 'weft']]);
});
