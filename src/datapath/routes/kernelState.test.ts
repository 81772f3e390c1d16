import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeDst, parseFdb, parseNeighbours, parseRoutes, parseVxlanDevice, readKernelState } from './kernelState.ts';
import type { NetTools } from '../netTools.ts';
import { WeftError, ErrorCode } from '../../errors.ts';

// Captured from iproute2 6.1 (`ip -j …`, `bridge -j …`).
const ROUTES =
  '[{"dst":"10.244.2.0/24","gateway":"172.30.0.12","dev":"eth0","flags":[]},{"dst":"10.244.3.0/24","gateway":"10.244.3.0","dev":"weft_vxlan","flags":["onlink"]},{"dst":"10.9.9.9","gateway":"172.30.0.1","dev":"eth0","metric":7,"flags":[]}]';
const LINK =
  '[{"ifindex":4,"ifname":"weft_vxlan","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1450,"address":"0e:57:ac:1e:00:0b","linkinfo":{"info_kind":"vxlan","info_data":{"id":1,"local":"172.30.0.11","link":"eth0","port_range":{"low":0,"high":0},"port":8472,"learning":false,"ttl":0}}}]';
const NEIGH = '[{"dst":"10.244.3.0","lladdr":"0e:57:ac:1e:00:0d","state":["PERMANENT"]},{"dst":"10.244.4.0","state":["FAILED"]}]';
const FDB = '[{"mac":"0e:57:ac:1e:00:0d","dst":"172.30.0.13","flags":["self"],"state":"permanent"},{"mac":"00:00:00:00:00:00","flags":["self"],"state":""}]';

void describe('kernel state parsers', () => {
  void it('parses routes, normalising host routes to /32 and keeping the metric', () => {
    assert.deepEqual(parseRoutes(ROUTES), [
      { dst: '10.244.2.0/24', via: '172.30.0.12', dev: 'eth0', onlink: false, metric: 0 },
      { dst: '10.244.3.0/24', via: '10.244.3.0', dev: 'weft_vxlan', onlink: true, metric: 0 },
      { dst: '10.9.9.9/32', via: '172.30.0.1', dev: 'eth0', onlink: false, metric: 7 },
    ]);
    assert.deepEqual(parseRoutes(''), []);
    assert.equal(normalizeDst('default'), '0.0.0.0/0');
  });
  void it('parses the vxlan device', () => {
    assert.deepEqual(parseVxlanDevice(LINK), { vni: 1, port: 8472, localIp: '172.30.0.11', mac: '0e:57:ac:1e:00:0b', underlayDev: 'eth0', learning: false, up: true });
  });
  void it('reports a weft_vxlan of another kind with vni -1 so that it never matches', () => {
    const dummy = '[{"ifname":"weft_vxlan","flags":["BROADCAST"],"address":"aa:bb:cc:dd:ee:ff","linkinfo":{"info_kind":"veth"}}]';
    assert.equal(parseVxlanDevice(dummy)?.vni, -1);
  });
  void it('parses neighbours and FDB entries', () => {
    assert.deepEqual(parseNeighbours(NEIGH), [
      { ip: '10.244.3.0', mac: '0e:57:ac:1e:00:0d', permanent: true },
      { ip: '10.244.4.0', mac: '', permanent: false },
    ]);
    assert.deepEqual(parseFdb(FDB), [
      { mac: '0e:57:ac:1e:00:0d', dst: '172.30.0.13', permanent: true },
      { mac: '00:00:00:00:00:00', dst: '', permanent: false },
    ]);
  });
  void it('names the tool when its output is not what was expected', () => {
    assert.throws(() => parseRoutes('{"oops":1}'), /cannot parse ip -j route output: \{"oops":1\}/);
  });
});

void describe('readKernelState', () => {
  void it('reads routes only when there is no vxlan device', async () => {
    const calls: string[] = [];
    const tools: NetTools = {
      run(tool, args) {
        calls.push(`${tool} ${args.join(' ')}`);
        if (args.includes('link')) return Promise.reject(new WeftError(ErrorCode.CommandFailed, 'ip … failed (exit 1): Device "weft_vxlan" does not exist.'));
        return Promise.resolve(ROUTES);
      },
    };
    const state = await readKernelState(tools);
    assert.equal(state.routes.length, 3);
    assert.equal(state.vxlan, undefined);
    assert.deepEqual(calls, ['ip -j route show table main proto 157', 'ip -j -d link show dev weft_vxlan']);
  });
  void it('reads the neighbours and FDB of the device', async () => {
    const out: Record<string, string> = { route: ROUTES, link: LINK, neigh: NEIGH, fdb: FDB };
    const tools: NetTools = { run: (_tool, args) => Promise.resolve(out[args.find((a) => a in out) ?? ''] ?? '') };
    const state = await readKernelState(tools);
    assert.equal(state.vxlan?.mac, '0e:57:ac:1e:00:0b');
    assert.equal(state.neighbours.length, 2);
    assert.equal(state.fdb.length, 2);
  });
  void it('passes on other failures', async () => {
    const tools: NetTools = { run: () => Promise.reject(new WeftError(ErrorCode.CommandFailed, 'ip: permission denied')) };
    await assert.rejects(readKernelState(tools), /permission denied/);
  });
});
