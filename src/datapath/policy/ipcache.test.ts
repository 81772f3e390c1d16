import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileIpcache, parseIpcacheElements } from './ipcache.ts';

test('compiles IP → identity and parses nft -j output back', () => {
  const want = compileIpcache([{ ip: '10.1.0.2', identity: 65537 }, { ip: '10.2.0.3', identity: 131073 }]);
  const json = '{"nftables": [{"metainfo": {"version": "1.0.6"}}, {"map": {"family": "inet", "name": "ipcache", "table": "weft", "type": "ipv4_addr", "map": "mark", "elem": [["10.1.0.2", 65537], ["10.2.0.3", 131073]]}}]}';
  assert.deepEqual(parseIpcacheElements(json), want);
  // In a listing of the whole table, only the ipcache map's elements.
  assert.deepEqual(parseIpcacheElements('{"nftables": [{"map": {"name": "svc-ips", "elem": [["10.9.9.9", 1]]}}, {"map": {"name": "ipcache", "elem": [["10.1.0.2", 65537]]}}]}'), new Map([['10.1.0.2', '0x10001']]));
});

test('node IPs get reserved identities (self → host 1, others → remote-node 6); identity 0 is left out', () => {
  const got = compileIpcache(
    [{ ip: '10.1.0.2', identity: 65537 }, { ip: '10.1.0.3', identity: 0 }, { ip: '172.18.0.3', identity: 65538 }],
    { selfIp: '172.18.0.2', nodeIps: ['172.18.0.3', '172.18.0.4'] },
  );
  assert.deepEqual([...got], [['10.1.0.2', '0x10001'], ['172.18.0.3', '0x6'], ['172.18.0.4', '0x6'], ['172.18.0.2', '0x1']]);
});
