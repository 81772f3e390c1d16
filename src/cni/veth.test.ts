import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failedBatchLine, hostBatchCreatedVeth, hostVethName, isHostVethName, planWiring, vethMacs, wiringProblems } from './veth.ts';
import type { ObservedNet } from './veth.ts';

test('host veth name is wf + 11 hex of sha1(containerId + ifName), deterministic', () => {
  const n = hostVethName('c1', 'eth0');
  assert.match(n, /^wf[0-9a-f]{11}$/);
  assert.equal(n, hostVethName('c1', 'eth0'));
  assert.notEqual(n, hostVethName('c2', 'eth0'));
  assert.ok(isHostVethName(n));
  assert.ok(!isHostVethName('weft_vxlan'));
});

test('MACs are locally administered unicast and differ per side', () => {
  const m = vethMacs('c1', 'eth0');
  assert.match(m.host, /^06(:[0-9a-f]{2}){5}$/);
  assert.match(m.pod, /^0a(:[0-9a-f]{2}){5}$/);
});

test('the wiring plan: veth with the peer created in the pod netns, /32s and the onlink default route', () => {
  const p = planWiring({ containerId: 'c1', ifName: 'eth0', netns: '/var/run/netns/p1', ip: '10.1.0.7', mtu: 1450 });
  const host = p.hostBatch.trim().split('\n');
  assert.equal(host[0], `link add ${p.hostVeth} mtu 1450 address ${p.hostMac} type veth peer name eth0 mtu 1450 address ${p.podMac} netns /var/run/netns/p1`);
  assert.deepEqual(host.slice(1), [`addr add 169.254.1.1/32 dev ${p.hostVeth}`, `link set ${p.hostVeth} up`, `route add 10.1.0.7/32 dev ${p.hostVeth}`]);
  assert.deepEqual(p.podBatch.trim().split('\n'), ['addr add 10.1.0.7/32 dev eth0', 'link set lo up', 'link set eth0 up', 'route add default via 169.254.1.1 dev eth0 onlink']);
});

test('wiringProblems: none for intact wiring, each difference named', () => {
  const hv = hostVethName('c1', 'eth0');
  const host: ObservedNet = {
    links: [{ ifname: hv, flags: ['UP'], addr_info: [{ family: 'inet', local: '169.254.1.1', prefixlen: 32 }] }],
    routes: [{ dst: '10.1.0.7', dev: hv }],
  };
  const pod: ObservedNet = {
    links: [{ ifname: 'eth0', flags: ['BROADCAST', 'UP'], addr_info: [{ family: 'inet', local: '10.1.0.7', prefixlen: 32 }] }],
    routes: [{ dst: 'default', gateway: '169.254.1.1', dev: 'eth0', flags: ['onlink'] }],
  };
  const exp = { hostVeth: hv, ifName: 'eth0', ip: '10.1.0.7' };
  assert.deepEqual(wiringProblems(exp, host, pod), []);
  const broken = wiringProblems(exp, { links: [], routes: [] }, { ...pod, routes: [] });
  assert.equal(broken.length, 3);
  assert.match(broken.join(';'), new RegExp(`interface ${hv} does not exist`));
  assert.match(broken.join(';'), /no route default via 169\.254\.1\.1/);
});

test('a failed host batch created the veth only when ip names a line after the link add', () => {
  const plan = planWiring({ containerId: 'c1', ifName: 'eth0', netns: '/run/netns/p', ip: '10.0.0.2' });
  assert.match(plan.hostBatch.split('\n')[0] ?? '', /^link add /, 'the link add is line 1');
  assert.equal(failedBatchLine('ip -batch - failed (exit 1): RTNETLINK answers: File exists\nCommand failed -:1'), 1);
  assert.equal(failedBatchLine('Command failed -:2\nCommand failed -:4'), 4);
  assert.equal(failedBatchLine('ip -batch - timed out after 15000 ms'), undefined);
  assert.equal(hostBatchCreatedVeth('RTNETLINK answers: File exists\nCommand failed -:1'), false);
  assert.equal(hostBatchCreatedVeth('RTNETLINK answers: File exists\nCommand failed -:4'), true);
  assert.equal(hostBatchCreatedVeth('Error: argument "x" is wrong\nCommand failed -:2'), true);
  assert.equal(hostBatchCreatedVeth('ip -batch - timed out after 15000 ms'), false, 'unknown counts as not created');
});
