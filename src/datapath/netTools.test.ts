import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { netnsArgv, recordingNetTools } from './netTools.ts';
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
