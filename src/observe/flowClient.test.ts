import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../util/log.ts';
import type { Flow } from '../model/flow.ts';
import { jsonAnswer, startDaemonHttp } from './daemonHttp.ts';
import { fetchFlows, targetKey } from './flowClient.ts';

const flow = (node: string, seq: number, time: string): Flow => ({
  time,
  seq,
  node,
  cluster: 'c1',
  verdict: 'FORWARDED',
  protocol: 'TCP',
  source: { ip: '10.1.0.5', port: 41234 },
  destination: { ip: '10.1.1.7', port: 8080 },
});

test('fetchFlows: merges agents oldest first, passes last/since, reports an agent that does not answer, returns the next cursor', async (t) => {
  const d = await startDaemonHttp({ listen: '127.0.0.1:0', component: 'test', logger: silentLogger });
  t.after(() => d.close());
  const asked: string[] = [];
  d.route('/v1/flows', (u) => {
    asked.push(u.search);
    const since = Number(u.searchParams.get('since') ?? 0);
    const flows = [flow('n1', 1, '2026-01-01T00:00:02.000Z'), flow('n1', 2, '2026-01-01T00:00:04.000Z')].filter((f) => f.seq > since);
    return jsonAnswer({ node: 'n1', cluster: 'c1', capacity: 4096, seen: 2, flows });
  });
  const bad = await startDaemonHttp({ listen: '127.0.0.1:0', component: 'bad', logger: silentLogger });
  t.after(() => bad.close());
  bad.route('/v1/flows', () => jsonAnswer({ nope: true }));
  const targets = [
    { cluster: 'c1', node: 'n1', url: `http://127.0.0.1:${d.port}` },
    { cluster: 'c1', node: 'n2', url: `http://127.0.0.1:${bad.port}` },
    { cluster: 'c2', node: 'n3', url: 'http://127.0.0.1:1' },
  ];
  const first = await fetchFlows(targets, { last: 20, timeoutMs: 2000 });
  assert.deepEqual(first.flows.map((f) => f.seq), [1, 2]);
  assert.equal(asked[0], '?last=20');
  assert.deepEqual(first.answers.map((a) => targetKey(a.target)), ['c1/n1']);
  assert.deepEqual(first.errors.map((e) => targetKey(e.target)), ['c1/n2', 'c2/n3']);
  assert.match(first.errors[0]?.error ?? '', /agent c1\/n2 at http:\/\/127\.0\.0\.1:\d+: .*invalid FlowsResponse/);
  assert.deepEqual([...first.cursor], [['c1/n1', 2]]);
  const next = await fetchFlows(targets.slice(0, 1), { since: new Map([['c1/n1', 1]]) });
  assert.equal(asked[1], '?since=1');
  assert.deepEqual(next.flows.map((f) => f.seq), [2]);
});
