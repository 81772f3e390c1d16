import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyNftTable, deleteNftTable, listNftTable, parseNftTable } from './nft.ts';
import type { NetTools } from '../netTools.ts';
import { WeftError, ErrorCode } from '../../errors.ts';

// Captured from nftables 1.0.6 (`nft -j list table inet weft`).
const LISTED =
  '{"nftables": [{"metainfo": {"version": "1.0.6", "json_schema_version": 1}}, {"table": {"family": "inet", "name": "weft", "handle": 1}}, {"counter": {"family": "inet", "name": "forwarded", "table": "weft", "handle": 1, "packets": 3, "bytes": 252}}, {"chain": {"family": "inet", "table": "weft", "name": "forward", "handle": 2, "type": "filter", "hook": "forward", "prio": 0, "policy": "accept"}}, {"rule": {"family": "inet", "table": "weft", "chain": "forward", "handle": 4, "expr": [{"counter": "forwarded"}, {"accept": null}]}}]}';

const missing = (): Promise<string> => Promise.reject(new WeftError(ErrorCode.CommandFailed, 'nft … failed (exit 1): Error: No such file or directory'));

void describe('nft', () => {
  void it('parses a listed table', () => {
    assert.deepEqual(parseNftTable('weft', LISTED), {
      name: 'weft',
      chains: ['forward'],
      sets: [],
      maps: [],
      counters: { forwarded: { packets: 3, bytes: 252 } },
      rules: { forward: 1 },
    });
  });
  void it('applies the text with one nft -f - and lists with nft -j', async () => {
    const calls: string[] = [];
    const tools: NetTools = {
      run: (tool, args, input) => {
        calls.push(`${tool} ${args.join(' ')}|${input ?? ''}`);
        return Promise.resolve(LISTED);
      },
    };
    await applyNftTable('add table inet weft\n', tools);
    assert.equal((await listNftTable('weft', tools))?.chains[0], 'forward');
    assert.deepEqual(calls, ['nft -f -|add table inet weft\n', 'nft -j list table inet weft|']);
  });
  void it('reports a missing table as undefined / false, and other failures as errors', async () => {
    assert.equal(await listNftTable('weft', { run: missing }), undefined);
    assert.equal(await deleteNftTable('weft', { run: missing }), false);
    const denied: NetTools = { run: () => Promise.reject(new WeftError(ErrorCode.CommandFailed, 'Operation not permitted')) };
    await assert.rejects(listNftTable('weft', denied), /not permitted/);
  });
});
