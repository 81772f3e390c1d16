import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Flow } from '../model/flow.ts';
import { compactLine, flowMatches, parseFlowFilter, selectFlows, tableRow } from './observeFlows.ts';

const fwd: Flow = {
  time: '2026-12-06T04:50:01.123Z',
  seq: 1,
  node: 'n1',
  cluster: 'c1',
  verdict: 'FORWARDED',
  protocol: 'TCP',
  source: { ip: '10.1.0.5', port: 41234, pod: 'client-xyz', namespace: 'default', cluster: 'c1', identity: 65792 },
  destination: { ip: '10.1.1.7', port: 8080, pod: 'echo-1-abc', namespace: 'default', cluster: 'c2', identity: 65793 },
  service: { namespace: 'default', name: 'echo-1', ip: '10.2.0.10', port: 80 },
};
const drop: Flow = { ...fwd, seq: 2, verdict: 'DROPPED', dropReason: 'POLICY_DENIED', direction: 'ingress', source: { ip: '10.1.0.9', pod: 'stranger', namespace: 'other', identity: 2 }, destination: { ...fwd.destination }, service: undefined } as unknown as Flow;
delete (drop as { service?: unknown }).service;

test('compact: one hubble-like line per flow', () => {
  assert.equal(compactLine(fwd), 'Dec  6 04:50:01.123 [c1/n1]: default/client-xyz:41234 (ID:65792) -> default/echo-1-abc:8080 (ID:65793) to-endpoint FORWARDED (TCP) via service default/echo-1');
  assert.equal(compactLine(drop), 'Dec  6 04:50:01.123 [c1/n1]: other/stranger (ID:2) -> default/echo-1-abc:8080 (ID:65793) policy-verdict:none INGRESS DENIED DROPPED (TCP)');
  assert.deepEqual(tableRow(drop).slice(4), ['policy-verdict', 'DROPPED', 'TCP POLICY_DENIED ingress']);
});

test('filters: pods by [ns/]name or name prefix, namespace/cluster/port on either side, verdict', () => {
  const m = (flags: Parameters<typeof parseFlowFilter>[0], f: Flow = fwd): boolean => flowMatches(f, parseFlowFilter(flags));
  assert.ok(m({ fromPod: 'client' }));
  assert.ok(m({ fromPod: 'default/client-xyz' }));
  assert.ok(!m({ fromPod: 'other/client' }));
  assert.ok(!m({ fromPod: 'clie' }), 'a prefix counts only up to a dash');
  assert.ok(m({ toPod: 'echo-1' }));
  assert.ok(m({ cluster: 'c2' }));
  assert.ok(!m({ cluster: 'c3' }));
  assert.ok(m({ namespace: 'default' }));
  assert.ok(m({ port: '80' }), 'the service port');
  assert.ok(!m({ port: '81' }));
  assert.ok(m({ verdict: 'forwarded' }));
  assert.ok(!m({ verdict: 'DROPPED' }));
  assert.ok(m({ verdict: 'DROPPED', namespace: 'other' }, drop));
  assert.throws(() => parseFlowFilter({ verdict: 'LOST' }), /--verdict must be one of FORWARDED, DROPPED, REJECTED, got "LOST"/);
  assert.throws(() => parseFlowFilter({ port: '70000' }), /--port must be a port number 0-65535, got "70000"/);
  assert.throws(() => parseFlowFilter({ fromPod: 'a/b/c' }), /--from-pod must be \[namespace\/\]pod, got "a\/b\/c"/);
});

test('selectFlows: the newest N matching, oldest first', () => {
  assert.deepEqual(selectFlows([fwd, drop, { ...fwd, seq: 3 }], parseFlowFilter({ verdict: 'FORWARDED' }), 1).map((f) => f.seq), [3]);
  assert.deepEqual(selectFlows([fwd, drop], {}, 0), []);
});
