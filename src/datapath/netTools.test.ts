import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WeftError, ErrorCode } from '../errors.ts';
import { isNoSuchNftObject, listNftJson, netnsArgv, recordingNetTools } from './netTools.ts';
import type { NetTools } from './netTools.ts';

void describe('netnsArgv', () => {
  void it('uses -n for ip and bridge, ip netns exec for nft', () => {
    assert.deepEqual(netnsArgv('wf-n1', 'ip', ['-j', 'route']), ['ip', '-n', 'wf-n1', '-j', 'route']);
    assert.deepEqual(netnsArgv('wf-n1', 'bridge', ['fdb']), ['bridge', '-n', 'wf-n1', 'fdb']);
    assert.deepEqual(netnsArgv('wf-n1', 'nft', ['-f', '-']), ['ip', 'netns', 'exec', 'wf-n1', 'nft', '-f', '-']);
  });
});

void describe('recordingNetTools', () => {
  void it('records each call and passes it through', async () => {
    const inner: NetTools = { run: (tool, args) => Promise.resolve(`${tool} ${args.join(' ')}`) };
    const rec = recordingNetTools(inner);
    assert.equal(await rec.run('ip', ['-batch', '-'], 'route del x\n'), 'ip -batch -');
    assert.deepEqual(rec.calls, [{ tool: 'ip', args: ['-batch', '-'], input: 'route del x\n' }]);
  });
});

void describe('listNftJson / isNoSuchNftObject', () => {
  void it('a missing table, set or map is undefined; any other failure is thrown', async () => {
    const fail = (msg: string): NetTools => ({ run: () => Promise.reject(new WeftError(ErrorCode.CommandFailed, msg)) });
    assert.equal(await listNftJson(fail('nft -j list set inet weft x failed (exit 1): Error: No such file or directory'), ['set', 'inet', 'weft', 'x']), undefined);
    await assert.rejects(listNftJson(fail('nft: Operation not permitted'), ['table', 'inet', 'weft']), /Operation not permitted/);
    assert.equal(isNoSuchNftObject(new Error('No such file or directory')), false, 'only a failed command');
    const ok: NetTools = { run: (_t, args) => Promise.resolve(args.join(' ')) };
    assert.equal(await listNftJson(ok, ['table', 'inet', 'weft']), '-j list table inet weft');
  });
});
