import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dropEvent, formatDropLine, newDrops } from './monitorDrops.ts';
import type { IpOwner } from './monitorDrops.ts';
import type { DropFlow } from '../datapath/policy/policyDrops.ts';

const flow = (packets: number, over: Partial<DropFlow> = {}): DropFlow => ({
  direction: 'ingress', saddr: '10.2.0.9', daddr: '10.1.0.5', proto: 'tcp', port: 6379, peerIdentity: 0x20105, packets, bytes: packets * 60, expiresS: 600, ...over,
});
const owners = new Map<string, IpOwner>([
  ['10.1.0.5', { name: 'default/protected-db', cluster: 'cluster1', identity: 0x10101 }],
  ['10.2.0.9', { name: 'default/stranger', cluster: 'cluster2', identity: 0x20105 }],
]);

void describe('monitor --type drop (pure part)', () => {
  void it('reports a flow when new, again only when it grew, by the packets added', () => {
    const seen = new Map<string, number>();
    assert.deepEqual(newDrops(seen, 'n1', [flow(2)]).map((d) => d.packets), [2]);
    assert.deepEqual(newDrops(seen, 'n1', [flow(2)]), []);
    assert.deepEqual(newDrops(seen, 'n1', [flow(5)]).map((d) => d.packets), [3]);
    assert.deepEqual(newDrops(seen, 'n2', [flow(5)]).map((d) => d.packets), [5], 'another node is another record');
    assert.deepEqual(newDrops(seen, 'n1', [flow(1)]).map((d) => d.packets), [1], 'expired and back: new');
  });
  void it('names both sides: the peer with the identity the datapath saw, the local endpoint from etcd', () => {
    const e = dropEvent('2026-01-01T00:00:00.000Z', 'n1', flow(3), 3, owners);
    assert.deepEqual(e.source, { ip: '10.2.0.9', name: 'default/stranger', cluster: 'cluster2', identity: 0x20105 });
    assert.deepEqual(e.destination, { ip: '10.1.0.5', name: 'default/protected-db', cluster: 'cluster1', identity: 0x10101 });
    assert.equal(
      formatDropLine(e),
      '2026-01-01T00:00:00.000Z DROP ingress on n1: default/stranger (10.2.0.9, cluster2) identity 131333 → default/protected-db (10.1.0.5, cluster1) identity 65793 tcp/6379 (3 packets, 3 total)',
    );
  });
  void it('an unknown egress destination is world; ICMP has no port', () => {
    const e = dropEvent('t', 'n1', flow(1, { direction: 'egress', saddr: '10.1.0.5', daddr: '8.8.8.8', proto: 'icmp', port: 0, peerIdentity: 2 }), 1, owners);
    assert.equal(formatDropLine(e), 't DROP egress on n1: default/protected-db (10.1.0.5, cluster1) identity 65793 → 8.8.8.8 identity 2 (world) icmp (1 packet, 1 total)');
  });
});
