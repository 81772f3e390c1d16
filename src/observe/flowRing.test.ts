import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowsResponse } from '../model/flow.ts';
import { FlowRing, flowsRoute } from './flowRing.ts';
import type { UnnumberedFlow } from './flowView.ts';

const f = (port: number): UnnumberedFlow => ({
  time: '2026-01-01T00:00:00.000Z',
  node: 'n1',
  cluster: 'c1',
  verdict: 'FORWARDED',
  protocol: 'TCP',
  source: { ip: '10.1.0.2' },
  destination: { ip: '10.1.0.3', port },
});

test('the ring numbers flows 1, 2, … and keeps only the newest `capacity`', () => {
  const ring = new FlowRing(3);
  for (let i = 1; i <= 5; i++) ring.push(f(i));
  assert.equal(ring.seen, 5);
  assert.deepEqual(ring.query().map((x) => x.seq), [3, 4, 5]);
  assert.deepEqual(ring.query({ last: 2 }).map((x) => x.seq), [4, 5]);
  assert.deepEqual(ring.query({ since: 4 }).map((x) => x.seq), [5]);
  assert.deepEqual(ring.query({ since: 1 }).map((x) => x.seq), [3, 4, 5], 'what was overwritten is gone');
  assert.deepEqual(ring.query({ since: 5 }), []);
  assert.deepEqual(ring.query({ since: 99 }).map((x) => x.seq), [3, 4, 5], 'a cursor of an earlier agent life: everything kept');
  assert.deepEqual(ring.query({ last: 0 }), []);
  assert.throws(() => new FlowRing(0), /positive integer, got 0/);
});

test('GET /v1/flows answers a FlowsResponse; a bad parameter is a 400 naming it', async () => {
  const ring = new FlowRing(10);
  ring.push(f(80));
  ring.push(f(81));
  const route = flowsRoute(ring, { node: 'n1', cluster: 'c1' });
  const ok = await route(new URL('http://x/v1/flows?last=1'));
  assert.equal(ok.status, 200);
  const body = FlowsResponse.parse(JSON.parse(ok.body));
  assert.deepEqual([body.node, body.cluster, body.capacity, body.seen, body.flows.map((x) => x.destination.port)], ['n1', 'c1', 10, 2, [81]]);
  const bad = await route(new URL('http://x/v1/flows?since=-1'));
  assert.equal(bad.status, 400);
  assert.match(bad.body, /since must be a non-negative integer, got \\"-1\\"/);
});

test('the ring counts every flow it was given by verdict and reason, also those it no longer keeps', () => {
  const ring = new FlowRing(2);
  const base = { time: 't', node: 'n1', cluster: 'c1', protocol: 'TCP' as const, source: { ip: '10.0.0.1' }, destination: { ip: '10.0.0.2', port: 80 } };
  ring.push({ ...base, verdict: 'FORWARDED' });
  ring.push({ ...base, verdict: 'FORWARDED' });
  ring.push({ ...base, verdict: 'DROPPED', dropReason: 'POLICY_DENIED' });
  assert.deepEqual(
    ring.verdictCounts().sort((a, b) => a.verdict.localeCompare(b.verdict)),
    [
      { verdict: 'DROPPED', reason: 'POLICY_DENIED', count: 1 },
      { verdict: 'FORWARDED', reason: '', count: 2 },
    ],
  );
});
