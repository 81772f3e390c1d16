import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeState } from '../../model/state.ts';
import { compileDatapath, vtepMac } from './compile.ts';
import type { DatapathInput } from './compile.ts';

function node(cluster: string, name: string, ip: string, podCIDR: string, vtep = ''): NodeState {
  return { name, cluster, clusterId: cluster === 'c1' ? 1 : 2, ip, podCIDR, vtep, bootId: 'b', ready: true };
}

const nodes: NodeState[] = [
  node('c2', 'worker', '172.30.0.22', '10.2.1.0/24'),
  node('c1', 'cp', '172.30.0.11', '10.1.0.0/24'), // self
  node('c1', 'worker', '172.30.0.12', '10.1.1.0/24'),
  node('c1', 'fresh', '172.30.0.13', ''), // no PodCIDR yet
];

function input(routingMode: DatapathInput['routingMode'], extra: NodeState[] = []): DatapathInput {
  return {
    self: { name: 'cp', ip: '172.30.0.11', podCIDR: '10.1.0.0/24' },
    routingMode,
    nodes: [...nodes, ...extra],
  };
}

void describe('vtepMac', () => {
  void it('is 0e:57 followed by the IP octets in hex', () => {
    assert.equal(vtepMac('172.30.0.11'), '0e:57:ac:1e:00:0b');
    assert.equal(vtepMac('10.0.255.1'), '0e:57:0a:00:ff:01');
  });
  void it('rejects a non-address, naming it', () => {
    assert.throws(() => vtepMac('10.0.0'), /"10\.0\.0" is not an IPv4 address/);
  });
});

void describe('compileDatapath native', () => {
  void it('routes every remote PodCIDR via its node IP on eth0 (golden)', () => {
    assert.deepEqual(compileDatapath(input('native')), {
      routes: [
        { dst: '10.1.1.0/24', via: '172.30.0.12', dev: 'eth0', onlink: false },
        { dst: '10.2.1.0/24', via: '172.30.0.22', dev: 'eth0', onlink: false },
      ],
      warnings: [],
    });
  });
  void it('uses the given underlay device', () => {
    const out = compileDatapath({ ...input('native'), underlayDev: 'ens3' });
    assert.deepEqual(new Set(out.routes.map((r) => r.dev)), new Set(['ens3']));
  });
});

void describe('compileDatapath tunnel', () => {
  void it('routes onlink via the first PodCIDR address on weft_vxlan with a neighbour + FDB per peer (golden)', () => {
    assert.deepEqual(compileDatapath(input('tunnel')), {
      routes: [
        { dst: '10.1.1.0/24', via: '10.1.1.0', dev: 'weft_vxlan', onlink: true },
        { dst: '10.2.1.0/24', via: '10.2.1.0', dev: 'weft_vxlan', onlink: true },
      ],
      vxlan: {
        dev: 'weft_vxlan',
        vni: 1,
        port: 8472,
        localIp: '172.30.0.11',
        mac: '0e:57:ac:1e:00:0b',
        underlayDev: 'eth0',
        peers: [
          { nodeIp: '172.30.0.12', mac: '0e:57:ac:1e:00:0c', gatewayIp: '10.1.1.0' },
          { nodeIp: '172.30.0.22', mac: '0e:57:ac:1e:00:16', gatewayIp: '10.2.1.0' },
        ],
      },
      warnings: [],
    });
  });
  void it('uses the node VTEP when it is set', () => {
    const out = compileDatapath(input('tunnel', [node('c3', 'n', '172.30.0.40', '10.3.0.0/24', '172.31.0.40')]));
    assert.deepEqual(out.vxlan?.peers.at(-1), { nodeIp: '172.31.0.40', mac: '0e:57:ac:1f:00:28', gatewayIp: '10.3.0.0' });
  });
  void it('has only the device when there is no remote node', () => {
    const out = compileDatapath({ ...input('tunnel'), nodes: [] });
    assert.deepEqual(out.routes, []);
    assert.deepEqual(out.vxlan?.peers, []);
  });
});

void describe('compileDatapath conflicts', () => {
  void it('skips invalid and overlapping nodes with a warning naming them and never throws', () => {
    const out = compileDatapath(
      input('native', [
        node('c9', 'bad-ip', '172.30.0', '10.9.0.0/24'),
        node('c9', 'bad-cidr', '172.30.0.91', '10.9.1.1/24'),
        node('c9', 'overlaps-self', '172.30.0.92', '10.1.0.0/16'),
        node('c9', 'overlaps-peer', '172.30.0.93', '10.1.1.128/25'),
        node('c9', 'same-ip', '172.30.0.12', '10.9.2.0/24'),
      ]),
    );
    assert.deepEqual(
      out.routes.map((r) => r.dst),
      ['10.1.1.0/24', '10.2.1.0/24'],
    );
    assert.equal(out.warnings.length, 5);
    assert.match(out.warnings.join('\n'), /node c9\/bad-ip skipped: "172\.30\.0" is not an IPv4 address/);
    assert.match(out.warnings.join('\n'), /c9\/bad-cidr skipped: "10\.9\.1\.1\/24" is not a CIDR/);
    assert.match(out.warnings.join('\n'), /overlaps-self skipped: podCIDR 10\.1\.0\.0\/16 overlaps this node's podCIDR 10\.1\.0\.0\/24/);
    assert.match(out.warnings.join('\n'), /overlaps-peer skipped: podCIDR 10\.1\.1\.128\/25 overlaps 10\.1\.1\.0\/24 of node c1\/worker/);
    assert.match(out.warnings.join('\n'), /same-ip skipped: node IP 172\.30\.0\.12 is already used/);
  });
  void it('is deterministic whatever the input order', () => {
    const a = compileDatapath(input('tunnel'));
    const b = compileDatapath({ ...input('tunnel'), nodes: [...nodes].reverse() });
    assert.deepEqual(a, b);
  });
});
