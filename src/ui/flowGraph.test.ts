import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Flow } from '../model/flow.ts';
import { flowGraph, uniqueFlows, workloadName } from './flowGraph.ts';

let seq = 0;
function flow(over: Partial<Flow> & Pick<Flow, 'source' | 'destination'>): Flow {
  seq++;
  return { time: `2025-01-01T00:00:${String(seq).padStart(2, '0')}.000Z`, seq, node: 'n1', cluster: 'ui2', verdict: 'FORWARDED', protocol: 'TCP', ...over };
}

const curl = { ip: '10.251.0.5', pod: 'curl', namespace: 'default', cluster: 'ui2', labels: ['run=curl'] };
const echoIn = (cluster: string, pod: string, ip: string) => ({ ip, port: 8080, pod, namespace: 'default', cluster, labels: ['run=echo-1'] });
const echoSvc = { namespace: 'default', name: 'echo-1', ip: '10.252.0.10', port: 80 };

test('workloadName: app/run labels first, then the owner from a generated name, else the pod', () => {
  assert.equal(workloadName('x-b2k9x', ['app=web', 'run=other']), 'web');
  assert.equal(workloadName('x-b2k9x', ['run=curl']), 'curl');
  assert.equal(workloadName('echo-1-b2k9x', []), 'echo-1');
  assert.equal(workloadName('stranger-0', undefined), 'stranger');
  assert.equal(workloadName('web-5d8c9f7b6c-x7k2p', []), 'web');
  assert.equal(workloadName('curl', []), 'curl');
  assert.equal(workloadName('echo-1-abcde', []), 'echo-1-abcde', 'vowels are not in the generated alphabet');
});

test('flows to a global service answered in two clusters: one edge per destination workload, counted per verdict', () => {
  const flows = [
    flow({ source: { ...curl, port: 40001 }, destination: echoIn('ui1', 'echo-1-b2k9x', '10.249.0.7'), service: echoSvc }),
    flow({ source: { ...curl, port: 40002 }, destination: echoIn('ui2', 'echo-1-zz9zz', '10.251.0.9'), service: echoSvc }),
    flow({ source: { ...curl, port: 40003 }, destination: echoIn('ui1', 'echo-1-c4d5f', '10.249.1.7'), service: echoSvc }),
  ];
  const g = flowGraph(flows);
  assert.deepEqual(g.nodes.map((n) => n.id), ['ui1/default/echo-1', 'ui2/default/curl', 'ui2/default/echo-1']);
  assert.deepEqual(g.nodes.find((n) => n.id === 'ui1/default/echo-1')?.pods, ['echo-1-b2k9x', 'echo-1-c4d5f']);
  assert.deepEqual(g.edges.map((e) => [e.from, e.to, e.counts.FORWARDED, e.verdict]), [
    ['ui2/default/curl', 'ui1/default/echo-1', 2, 'FORWARDED'],
    ['ui2/default/curl', 'ui2/default/echo-1', 1, 'FORWARDED'],
  ]);
  assert.deepEqual(g.edges[0]?.services, ['default/echo-1']);
  assert.deepEqual(g.edges[0]?.ports, ['8080/TCP']);
  assert.equal(g.flows, 3);
});

test('the latest verdict colours the edge; the counts keep every verdict', () => {
  const g = flowGraph([
    flow({ source: { ...curl, port: 1 }, destination: echoIn('ui2', 'echo-1-zz9zz', '10.251.0.9') }),
    flow({ source: { ...curl, port: 2 }, destination: echoIn('ui2', 'echo-1-zz9zz', '10.251.0.9'), verdict: 'DROPPED', dropReason: 'POLICY_DENIED' }),
  ].reverse());
  assert.equal(g.edges.length, 1);
  assert.deepEqual(g.edges[0]?.counts, { FORWARDED: 1, DROPPED: 1, REJECTED: 0 });
  assert.equal(g.edges[0]?.verdict, 'DROPPED');
});

test('a connection reported by both nodes counts once, with the service the client addressed', () => {
  const atClient = flow({ source: { ...curl, port: 4444 }, destination: echoIn('ui1', 'echo-1-b2k9x', '10.249.0.7'), service: echoSvc });
  const { service: _, ...atServer } = { ...atClient, node: 'ui1-worker', cluster: 'ui1', seq: 99 };
  const g = flowGraph([atServer, atClient]);
  assert.equal(g.flows, 1);
  assert.equal(g.edges[0]?.counts.FORWARDED, 1);
  assert.deepEqual(g.edges[0]?.services, ['default/echo-1']);
  const u = uniqueFlows([atServer, atClient]);
  assert.deepEqual([u.length, u[0]?.service], [1, echoSvc]);
  assert.equal(uniqueFlows([{ ...atClient, source: { ...curl } }, { ...atClient, source: { ...curl } }]).length, 2, 'drop records (no source port) are never merged');
});

test('peers without a pod: the addressed service (rejected), else the IP', () => {
  const g = flowGraph([
    flow({ source: { ...curl, port: 5 }, destination: { ip: '10.252.0.20', port: 80 }, service: { namespace: 'default', name: 'nobody', ip: '10.252.0.20', port: 80 }, verdict: 'REJECTED', dropReason: 'NO_SERVICE_BACKENDS' }),
    flow({ source: { ip: '172.30.0.2', port: 6 }, destination: echoIn('ui2', 'echo-1-zz9zz', '10.251.0.9') }),
  ]);
  assert.deepEqual(g.nodes.map((n) => [n.id, n.kind]), [
    ['ip/172.30.0.2', 'ip'],
    ['ui2/default/curl', 'workload'],
    ['ui2/default/echo-1', 'workload'],
    ['ui2/default/svc:nobody', 'service'],
  ]);
  assert.equal(g.edges.find((e) => e.to === 'ui2/default/svc:nobody')?.verdict, 'REJECTED');
  assert.equal(flowGraph([flow({ source: { ...curl, port: 7 }, destination: { ip: '169.254.1.1', port: 53 }, protocol: 'UDP' })]).nodes[0]?.name, 'node 169.254.1.1');
});

test('no flows: an empty graph', () => {
  assert.deepEqual(flowGraph([]), { nodes: [], edges: [], flows: 0 });
});
