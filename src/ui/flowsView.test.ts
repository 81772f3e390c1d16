import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Flow } from '../model/flow.ts';
import { flowsView, RECENT_FLOWS } from './flowsView.ts';

const flow = (seq: number): Flow => ({
  time: new Date(Date.UTC(2025, 0, 1, 0, 0, seq)).toISOString(), seq, node: 'n', cluster: 'ui1', verdict: 'FORWARDED', protocol: 'TCP',
  source: { ip: '10.249.0.2', port: 30000 + seq, pod: 'curl', namespace: 'default', cluster: 'ui1' }, destination: { ip: '10.249.0.3', port: 8080, pod: 'echo-1-b2k9x', namespace: 'default', cluster: 'ui1' },
});

test('the graph of every flow, the newest RECENT_FLOWS as a list newest first, agents and errors as given', () => {
  const flows = Array.from({ length: RECENT_FLOWS + 5 }, (_, i) => flow(i));
  const v = flowsView(flows, { asked: 3, answered: 2 }, ['agent ui1/n3 did not answer'], 'now');
  assert.equal(v.graph.flows, RECENT_FLOWS + 5);
  assert.equal(v.graph.edges[0]?.counts.FORWARDED, RECENT_FLOWS + 5);
  assert.equal(v.recent.length, RECENT_FLOWS);
  assert.equal(v.recent[0]?.seq, RECENT_FLOWS + 4);
  assert.deepEqual([v.agents, v.errors, v.generatedAt], [{ asked: 3, answered: 2 }, ['agent ui1/n3 did not answer'], 'now']);
});
