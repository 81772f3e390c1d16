import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileNftTable, policyChainRules, SVC_STATIC_CHAINS } from './nftTable.ts';

void describe('compileNftTable', () => {
  void it('declares the table, flushes and rewrites the static chains, counting into a named counter (golden)', () => {
    assert.equal(
      compileNftTable(),
      `add table inet weft
add counter inet weft forwarded
add counter inet weft policy-drops-ingress
add counter inet weft policy-drops-egress
add map inet weft ipcache { type ipv4_addr : mark; }
add set inet weft pol-in-enforced { type ipv4_addr; }
add set inet weft pol-in-l3 { type ipv4_addr . mark; }
add set inet weft pol-in-l4 { type ipv4_addr . mark . inet_proto . inet_service; }
add set inet weft pol-in-l4any { type ipv4_addr . inet_proto . inet_service; }
add set inet weft pol-drops-in-ep { type ipv4_addr; size 65536; flags dynamic,timeout; timeout 1h; counter; }
add set inet weft pol-drops-in-flows { type ipv4_addr . ipv4_addr . inet_proto . inet_service . mark; size 16384; flags dynamic,timeout; timeout 10m; counter; }
add set inet weft pol-out-enforced { type ipv4_addr; }
add set inet weft pol-out-l3 { type ipv4_addr . mark; }
add set inet weft pol-out-l4 { type ipv4_addr . mark . inet_proto . inet_service; }
add set inet weft pol-out-l4any { type ipv4_addr . inet_proto . inet_service; }
add set inet weft pol-drops-out-ep { type ipv4_addr; size 65536; flags dynamic,timeout; timeout 1h; counter; }
add set inet weft pol-drops-out-flows { type ipv4_addr . ipv4_addr . inet_proto . inet_service . mark; size 16384; flags dynamic,timeout; timeout 10m; counter; }
add chain inet weft pol-in
add chain inet weft pol-out
flush chain inet weft pol-in
add rule inet weft pol-in meta mark set 2
add rule inet weft pol-in meta mark set ip saddr map @ipcache
add rule inet weft pol-in ip daddr . meta mark @pol-in-l3 return
add rule inet weft pol-in ip daddr . meta mark . meta l4proto . th dport @pol-in-l4 return
add rule inet weft pol-in ip daddr . meta l4proto . th dport @pol-in-l4any return
add rule inet weft pol-in update @pol-drops-in-ep { ip daddr }
add rule inet weft pol-in meta l4proto { tcp, udp, sctp } update @pol-drops-in-flows { ip saddr . ip daddr . meta l4proto . th dport . meta mark }
add rule inet weft pol-in meta l4proto != { tcp, udp, sctp } update @pol-drops-in-flows { ip saddr . ip daddr . meta l4proto . 0 . meta mark }
add rule inet weft pol-in counter name "policy-drops-ingress" drop comment "weft: denied by the ingress policy of a local endpoint"
flush chain inet weft pol-out
add rule inet weft pol-out meta mark set 2
add rule inet weft pol-out meta mark set ip daddr map @ipcache
add rule inet weft pol-out ip saddr . meta mark @pol-out-l3 return
add rule inet weft pol-out ip saddr . meta mark . meta l4proto . th dport @pol-out-l4 return
add rule inet weft pol-out ip saddr . meta l4proto . th dport @pol-out-l4any return
add rule inet weft pol-out update @pol-drops-out-ep { ip saddr }
add rule inet weft pol-out meta l4proto { tcp, udp, sctp } update @pol-drops-out-flows { ip saddr . ip daddr . meta l4proto . th dport . meta mark }
add rule inet weft pol-out meta l4proto != { tcp, udp, sctp } update @pol-drops-out-flows { ip saddr . ip daddr . meta l4proto . 0 . meta mark }
add rule inet weft pol-out counter name "policy-drops-egress" drop comment "weft: denied by the egress policy of a local endpoint"
add chain inet weft forward { type filter hook forward priority filter; policy accept; }
flush chain inet weft forward
add rule inet weft forward counter name "forwarded"
add rule inet weft forward ct state established,related accept
add rule inet weft forward ct mark & 0x40000000 == 0x40000000 accept comment "weft: hairpin, a pod reaching itself through a service is never denied"
add rule inet weft forward ip saddr @pol-out-enforced jump pol-out
add rule inet weft forward ip daddr @pol-in-enforced jump pol-in
add rule inet weft forward accept
add map inet weft svc-ips { type ipv4_addr . inet_proto . inet_service : verdict; }
add map inet weft svc-eps-tcp { typeof ip daddr . tcp dport . numgen random mod 1 : ip daddr . tcp dport; }
add map inet weft svc-eps-udp { typeof ip daddr . udp dport . numgen random mod 1 : ip daddr . udp dport; }
add set inet weft svc-nobackend { type ipv4_addr . inet_proto . inet_service; }
add set inet weft svc-vips { type ipv4_addr; }
add set inet weft svc-rejects { type ipv4_addr . inet_service . ipv4_addr . inet_proto . inet_service; size 16384; flags dynamic,timeout; timeout 10m; counter; }
add chain inet weft svc-reject
add chain inet weft svc-nat-prerouting { type nat hook prerouting priority dstnat; policy accept; }
add chain inet weft svc-nat-output { type nat hook output priority -100; policy accept; }
add chain inet weft svc-mark-hairpin { type filter hook prerouting priority dstnat + 10; policy accept; }
add chain inet weft svc-nat-postrouting { type nat hook postrouting priority srcnat; policy accept; }
add chain inet weft svc-filter-input { type filter hook input priority filter; policy accept; }
add chain inet weft svc-filter-forward { type filter hook forward priority filter; policy accept; }
add chain inet weft svc-filter-output { type filter hook output priority filter; policy accept; }
flush chain inet weft svc-reject
add rule inet weft svc-reject meta l4proto { tcp, udp, sctp } update @svc-rejects { ip saddr . th sport . ip daddr . meta l4proto . th dport }
add rule inet weft svc-reject meta l4proto tcp reject with tcp reset
add rule inet weft svc-reject reject with icmpx port-unreachable
flush chain inet weft svc-nat-prerouting
add rule inet weft svc-nat-prerouting ip daddr . meta l4proto . th dport vmap @svc-ips
flush chain inet weft svc-nat-output
add rule inet weft svc-nat-output ip daddr . meta l4proto . th dport vmap @svc-ips
flush chain inet weft svc-mark-hairpin
add rule inet weft svc-mark-hairpin ct status dnat fib daddr . iif oif exists ct mark set ct mark | 0x40000000 comment "weft: hairpin, a pod reaching itself through a service"
flush chain inet weft svc-nat-postrouting
add rule inet weft svc-nat-postrouting ct mark & 0x40000000 == 0x40000000 masquerade comment "weft: hairpin, so the reply comes back through the node"
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
  void it('looks the peer identity up into meta mark (world by default), returns on an allowed element, records then drops', () => {
    assert.deepEqual(policyChainRules('egress'), [
      'meta mark set 2',
      'meta mark set ip daddr map @ipcache',
      'ip saddr . meta mark @pol-out-l3 return',
      'ip saddr . meta mark . meta l4proto . th dport @pol-out-l4 return',
      'ip saddr . meta l4proto . th dport @pol-out-l4any return',
      'update @pol-drops-out-ep { ip saddr }',
      'meta l4proto { tcp, udp, sctp } update @pol-drops-out-flows { ip saddr . ip daddr . meta l4proto . th dport . meta mark }',
      'meta l4proto != { tcp, udp, sctp } update @pol-drops-out-flows { ip saddr . ip daddr . meta l4proto . 0 . meta mark }',
      'counter name "policy-drops-egress" drop comment "weft: denied by the egress policy of a local endpoint"',
    ]);
  });
  void it('accepts established/related before any policy check (a policy change never drops an established connection)', () => {
    const fwd = compileNftTable().split('\n').filter((l) => l.startsWith('add rule inet weft forward '));
    assert.match(fwd[1] ?? '', /ct state established,related accept$/);
    assert.match(fwd[3] ?? '', /jump pol-out$/);
    assert.match(fwd[4] ?? '', /jump pol-in$/);
  });
  void it('leaves meta mark to the identity register: the hairpin bit is a ct mark', () => {
    assert.doesNotMatch(compileNftTable(), /meta mark set meta mark/);
    assert.match(compileNftTable(), /ct mark set ct mark \| 0x40000000/);
  });
  void it('names every static service chain with the svc- prefix', () => {
    assert.deepEqual(SVC_STATIC_CHAINS, ['svc-reject', 'svc-nat-prerouting', 'svc-nat-output', 'svc-mark-hairpin', 'svc-nat-postrouting', 'svc-filter-input', 'svc-filter-forward', 'svc-filter-output']);
  });
});
