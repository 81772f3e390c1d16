import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileNftTable, SVC_STATIC_CHAINS } from './nftTable.ts';

void describe('compileNftTable', () => {
  void it('declares the table, flushes and rewrites the static chains, counting into a named counter (golden)', () => {
    assert.equal(
      compileNftTable(),
      `add table inet weft
add counter inet weft forwarded
add chain inet weft forward { type filter hook forward priority filter; policy accept; }
flush chain inet weft forward
add rule inet weft forward counter name "forwarded" accept comment "weft: forwarded, no policy yet"
add map inet weft svc-ips { type ipv4_addr . inet_proto . inet_service : verdict; }
add map inet weft svc-eps-tcp { typeof ip daddr . tcp dport . numgen random mod 1 : ip daddr . tcp dport; }
add map inet weft svc-eps-udp { typeof ip daddr . udp dport . numgen random mod 1 : ip daddr . udp dport; }
add set inet weft svc-nobackend { type ipv4_addr . inet_proto . inet_service; }
add set inet weft svc-vips { type ipv4_addr; }
add chain inet weft svc-reject
add chain inet weft svc-nat-prerouting { type nat hook prerouting priority dstnat; policy accept; }
add chain inet weft svc-nat-output { type nat hook output priority -100; policy accept; }
add chain inet weft svc-mark-hairpin { type filter hook prerouting priority dstnat + 10; policy accept; }
add chain inet weft svc-nat-postrouting { type nat hook postrouting priority srcnat; policy accept; }
add chain inet weft svc-filter-input { type filter hook input priority filter; policy accept; }
add chain inet weft svc-filter-forward { type filter hook forward priority filter; policy accept; }
add chain inet weft svc-filter-output { type filter hook output priority filter; policy accept; }
flush chain inet weft svc-reject
add rule inet weft svc-reject meta l4proto tcp reject with tcp reset
add rule inet weft svc-reject reject with icmpx port-unreachable
flush chain inet weft svc-nat-prerouting
add rule inet weft svc-nat-prerouting ip daddr . meta l4proto . th dport vmap @svc-ips
flush chain inet weft svc-nat-output
add rule inet weft svc-nat-output ip daddr . meta l4proto . th dport vmap @svc-ips
flush chain inet weft svc-mark-hairpin
add rule inet weft svc-mark-hairpin ct status dnat fib daddr . iif oif exists meta mark set meta mark | 0x40000000 comment "weft: hairpin, a pod reaching itself through a service"
flush chain inet weft svc-nat-postrouting
add rule inet weft svc-nat-postrouting meta mark & 0x40000000 == 0x40000000 masquerade comment "weft: hairpin, so the reply comes back through the node"
flush chain inet weft svc-filter-input
add rule inet weft svc-filter-input ip daddr . meta l4proto . th dport @svc-nobackend goto svc-reject comment "weft: service without backends"
add rule inet weft svc-filter-input ct state new ip daddr @svc-vips goto svc-reject comment "weft: not a port of this service"
flush chain inet weft svc-filter-forward
add rule inet weft svc-filter-forward ip daddr . meta l4proto . th dport @svc-nobackend goto svc-reject comment "weft: service without backends"
flush chain inet weft svc-filter-output
add rule inet weft svc-filter-output ip daddr . meta l4proto . th dport @svc-nobackend goto svc-reject comment "weft: service without backends"
`,
    );
  });
  void it('never deletes or flushes the whole table, nor a map or set (connections, counters and elements survive a sync)', () => {
    assert.doesNotMatch(compileNftTable(), /^(delete|flush) (table|map|set)/m);
  });
  void it('names every static service chain with the svc- prefix', () => {
    assert.deepEqual(SVC_STATIC_CHAINS, ['svc-reject', 'svc-nat-prerouting', 'svc-nat-output', 'svc-mark-hairpin', 'svc-nat-postrouting', 'svc-filter-input', 'svc-filter-forward', 'svc-filter-output']);
  });
});
