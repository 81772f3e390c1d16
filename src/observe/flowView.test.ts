import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Flow } from '../model/flow.ts';
import type { Frontend } from '../services/frontends.ts';
import { parseConntrackEvent } from './conntrackEvents.ts';
import { buildFlowView, droppedFlow, forwardedFlow, rejectedFlow } from './flowView.ts';
import type { NamedEndpoint } from './flowView.ts';

const ep = (cluster: string, pod: string, ip: string, identity: number): NamedEndpoint => ({
  cluster,
  namespace: 'default',
  pod,
  value: { ip, node: 'n1', hostIP: '172.30.0.2', identity, labels: { app: pod.split('-')[0] ?? '' }, namedPorts: [], ready: true },
});
const frontend = (name: string, clusterIP: string, port: number): Frontend => ({ namespace: 'default', name, clusterIP, port, protocol: 'TCP', portName: 'http', backends: [], allBackends: [] });

const view = buildFlowView(
  [ep('fl2', 'client-abc', '10.243.0.5', 0xf30001), ep('fl1', 'echo-xyz', '10.241.1.7', 0xf10002)],
  [frontend('echo-1', '10.244.0.10', 80), frontend('empty', '10.244.0.11', 80)],
);
const origin = { node: 'n1', cluster: 'fl2', time: '2026-01-01T00:00:00.000Z' };
const valid = (x: unknown): void => void Flow.parse({ ...(x as object), seq: 1 });

test('a DNATed conntrack event: source the client pod, destination the backend pod in the other cluster, service echo-1', () => {
  const e = parseConntrackEvent('[1796532726.000001]\t [NEW] ipv4 2 tcp 6 120 SYN_SENT src=10.243.0.5 dst=10.244.0.10 sport=41234 dport=80 [UNREPLIED] src=10.241.1.7 dst=10.243.0.5 sport=8080 dport=41234 id=7');
  assert.ok(e);
  const f = forwardedFlow(e, view, origin);
  assert.deepEqual(f, {
    ...origin,
    verdict: 'FORWARDED',
    protocol: 'TCP',
    source: { ip: '10.243.0.5', port: 41234, pod: 'client-abc', namespace: 'default', cluster: 'fl2', identity: 0xf30001, labels: ['app=client'] },
    destination: { ip: '10.241.1.7', port: 8080, pod: 'echo-xyz', namespace: 'default', cluster: 'fl1', identity: 0xf10002, labels: ['app=echo'] },
    service: { namespace: 'default', name: 'echo-1', ip: '10.244.0.10', port: 80 },
  });
  valid(f);
});

test('a connection that involves no endpoint of the mesh (the node talking to etcd) is not a flow', () => {
  const e = parseConntrackEvent('[1.000001]\t [NEW] ipv4 2 tcp 6 120 SYN_SENT src=172.30.0.2 dst=172.30.0.1 sport=5000 dport=2379 [UNREPLIED] src=172.30.0.1 dst=172.30.0.2 sport=2379 dport=5000 id=8');
  assert.ok(e);
  assert.equal(forwardedFlow(e, view, origin), undefined);
});

test('a policy drop: DROPPED POLICY_DENIED with its direction and the peer identity the datapath saw', () => {
  const f = droppedFlow({ direction: 'ingress', saddr: '10.243.0.5', daddr: '10.241.1.7', proto: 'tcp', port: 8080, peerIdentity: 2, packets: 1, bytes: 60, expiresS: 599 }, view, origin);
  assert.equal(f?.verdict, 'DROPPED');
  assert.deepEqual([f?.dropReason, f?.direction, f?.source.identity, f?.source.pod, f?.destination.port, f?.destination.identity], ['POLICY_DENIED', 'ingress', 2, 'client-abc', 8080, 0xf10002]);
  const icmp = droppedFlow({ direction: 'egress', saddr: '10.243.0.5', daddr: '10.9.9.9', proto: 'icmp', port: 0, peerIdentity: 2, packets: 1, bytes: 84, expiresS: undefined }, view, origin);
  assert.deepEqual([icmp?.protocol, icmp?.destination], ['ICMP', { ip: '10.9.9.9', identity: 2 }]);
  valid(f);
});

test('a reject record: REJECTED NO_SERVICE_BACKENDS to the service the client addressed', () => {
  const f = rejectedFlow({ saddr: '10.243.0.5', sport: 40000, daddr: '10.244.0.11', dport: 80, proto: 'tcp', packets: 1 }, view, origin);
  assert.deepEqual([f?.verdict, f?.dropReason, f?.source.pod, f?.destination, f?.service?.name], ['REJECTED', 'NO_SERVICE_BACKENDS', 'client-abc', { ip: '10.244.0.11', port: 80 }, 'empty']);
  valid(f);
});
