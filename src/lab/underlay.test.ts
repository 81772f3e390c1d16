import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRootNetworks } from './underlay.ts';

void test('root networks from ip -j output, skipping default routes and our own device', () => {
  const addr = JSON.stringify([
    { ifname: 'lo', addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8 }] },
    { ifname: 'eth0', addr_info: [{ family: 'inet', local: '192.0.2.2', prefixlen: 24 }, { family: 'inet6', local: 'fd00::2', prefixlen: 64 }] },
    { ifname: 'weft0', addr_info: [{ family: 'inet', local: '172.30.0.1', prefixlen: 16 }] },
  ]);
  const route = JSON.stringify([
    { dst: 'default', gateway: '192.0.2.1', dev: 'eth0' },
    { dst: '192.0.2.0/24', dev: 'eth0' },
    { dst: '10.9.9.9', dev: 'tun0' },
    { dst: '172.30.0.0/16', dev: 'weft0' },
  ]);
  assert.deepEqual(parseRootNetworks(addr, route, 'weft0'), [
    { cidr: '127.0.0.1/32', source: 'address 127.0.0.1/8 on lo' },
    { cidr: '192.0.2.2/32', source: 'address 192.0.2.2/24 on eth0' },
    { cidr: '192.0.2.0/24', source: 'route to 192.0.2.0/24 dev eth0' },
    { cidr: '10.9.9.9/32', source: 'route to 10.9.9.9 dev tun0' },
  ]);
  assert.deepEqual(parseRootNetworks('', '', 'weft0'), []);
});
