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
add map inet weft svc-eps { typeof ip daddr . meta l4proto . tcp dport . numgen random mod 1 : ip daddr . tcp dport; }
add set inet weft svc-nobackend { type ipv4_addr . inet_proto . inet_service; }
add set inet weft svc-hairpin { type ipv4_addr . ipv4_addr; }
add chain inet weft svc-reject
add chain inet weft svc-nat-prerouting { type nat hook prerouting priority dstnat; policy accept; }
add chain inet weft svc-nat-output { type nat hook output priority -100; policy accept; }
add chain inet weft svc-nat-postrouting { type nat hook postrouting priority srcnat; policy accept; }
add chain inet weft svc-filter-forward { type filter hook forward priority filter; policy accept; }
add chain inet weft svc-filter-output { type filter hook output priority filter; policy accept; }
flush chain inet weft svc-reject
add rule inet weft svc-reject meta l4proto tcp reject with tcp reset
add rule inet weft svc-reject reject with icmpx port-unreachable
flush chain inet weft svc-nat-prerouting
add rule inet weft svc-nat-prerouting ip daddr . meta l4proto . th dport vmap @svc-ips
flush chain inet weft svc-nat-output
add rule inet weft svc-nat-output ip daddr . meta l4proto . th dport vmap @svc-ips
flush chain inet weft svc-nat-postrouting
add rule inet weft svc-nat-postrouting ct status dnat ip saddr . ip daddr @svc-hairpin masquerade comment "weft: hairpin, a pod reaching itself through a service"
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
    assert.deepEqual(SVC_STATIC_CHAINS, ['svc-reject', 'svc-nat-prerouting', 'svc-nat-output', 'svc-nat-postrouting', 'svc-filter-forward', 'svc-filter-output']);
  });
});
