import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileIpcache, NftIpcache, parseIpcacheElements } from './ipcache.ts';
import type { NetTools } from '../netTools.ts';

test('compiles IP → identity and parses nft -j output back', () => {
  const want = compileIpcache([{ ip: '10.1.0.2', identity: 65537 }, { ip: '10.2.0.3', identity: 131073 }]);
  const json = '{"nftables": [{"metainfo": {"version": "1.0.6"}}, {"map": {"family": "inet", "name": "ipcache", "table": "weft", "type": "ipv4_addr", "map": "mark", "elem": [["10.1.0.2", 65537], ["10.2.0.3", 131073]]}}]}';
  assert.deepEqual(parseIpcacheElements(json), want);
});

test('first sync reads the kernel; later syncs send only the difference', async () => {
  const calls: { args: readonly string[]; input: string | undefined }[] = [];
  const tools: NetTools = {
    run: (_tool, args, input) => {
      calls.push({ args, input });
      if (args[0] === '-j') return Promise.resolve('{"nftables":[{"map":{"name":"ipcache","elem":[["10.1.0.2",1]]}}]}');
      return Promise.resolve('');
    },
  };
  const ipcache = new NftIpcache(tools);
  const r1 = await ipcache.sync(compileIpcache([{ ip: '10.1.0.2', identity: 1 }, { ip: '10.1.0.3', identity: 1 }]));
  assert.deepEqual(r1, { added: 1, removed: 0, fullResync: true });
  assert.match(calls.at(-1)?.input ?? '', /^add element inet weft ipcache \{ 10\.1\.0\.3 : 0x1 \}/);
  const before = calls.length;
  const r2 = await ipcache.sync(compileIpcache([{ ip: '10.1.0.2', identity: 1 }, { ip: '10.1.0.3', identity: 1 }]));
  assert.deepEqual(r2, { added: 0, removed: 0, fullResync: false });
  assert.equal(calls.length, before, 'nothing ran');
});

test('node IPs get reserved identities (self → host 1, others → remote-node 6); identity 0 is left out', () => {
  const got = compileIpcache(
    [{ ip: '10.1.0.2', identity: 65537 }, { ip: '10.1.0.3', identity: 0 }, { ip: '172.18.0.3', identity: 65538 }],
    { selfIp: '172.18.0.2', nodeIps: ['172.18.0.3', '172.18.0.4'] },
  );
  assert.deepEqual([...got], [['10.1.0.2', '0x10001'], ['172.18.0.3', '0x6'], ['172.18.0.4', '0x6'], ['172.18.0.2', '0x1']]);
});
