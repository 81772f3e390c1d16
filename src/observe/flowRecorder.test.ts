import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger } from '../util/log.ts';
import { FlowRing } from './flowRing.ts';
import { buildFlowView } from './flowView.ts';
import { grownRecords, startFlowRecorder } from './flowRecorder.ts';

const view = buildFlowView(
  [
    { cluster: 'c1', namespace: 'default', pod: 'client', value: { ip: '10.1.0.5', node: 'n1', hostIP: '', identity: 100, labels: {}, namedPorts: [], ready: true } },
    { cluster: 'c1', namespace: 'default', pod: 'server', value: { ip: '10.1.0.6', node: 'n1', hostIP: '', identity: 101, labels: {}, namedPorts: [], ready: true } },
  ],
  [],
);
const EVENT = '[1796532726.289496]\\t    [NEW] ipv4     2 tcp      6 120 SYN_SENT src=10.1.0.5 dst=10.1.0.6 sport=41234 dport=8080 [UNREPLIED] src=10.1.0.6 dst=10.1.0.5 sport=8080 dport=41234 id=1';
const dropSet = (packets: number): string =>
  JSON.stringify({ nftables: [{ set: { family: 'inet', name: 'pol-drops-in-flows', table: 'weft', type: ['ipv4_addr', 'ipv4_addr', 'inet_proto', 'inet_service', 'mark'], elem: [{ elem: { val: { concat: ['10.1.0.5', '10.1.0.6', 'tcp', 80, 2] }, counter: { packets, bytes: 60 * packets } } }] } }] });
const emptySet = (name: string): string => JSON.stringify({ nftables: [{ set: { family: 'inet', name, table: 'weft', type: ['ipv4_addr'] } }] });

test('grownRecords: new or changed counts are news; forgotten records come back as new', () => {
  const seen = new Map<string, number>();
  const k = (r: { id: string }): string => r.id;
  assert.deepEqual(grownRecords(seen, [{ id: 'a', packets: 1 }], k).length, 1);
  assert.deepEqual(grownRecords(seen, [{ id: 'a', packets: 1 }], k).length, 0);
  assert.deepEqual(grownRecords(seen, [{ id: 'a', packets: 3 }], k).length, 1);
  assert.deepEqual(grownRecords(seen, [], k).length, 0);
  assert.deepEqual(grownRecords(seen, [{ id: 'a', packets: 3 }], k).length, 1);
});

test('records conntrack events as FORWARDED, restarts a reader that died, and drop records that grew after the baseline as DROPPED', async () => {
  const ring = new FlowRing(100);
  let packets = 1;
  const rec = startFlowRecorder({
    node: 'n1',
    cluster: 'c1',
    ring,
    view: () => view,
    logger: silentLogger,
    // A reader that prints one event and dies: restarted after the backoff's first delay (0.5–1 s).
    conntrack: ['sh', '-c', `printf '${EVENT}\\n'; exit 1`],
    tools: { run: (_t, args) => Promise.resolve(args.includes('pol-drops-in-flows') ? dropSet(packets) : emptySet(args.at(-1) ?? '')) },
    pollMs: 100,
  });
  await rec.ready;
  await sleep(300);
  assert.deepEqual(ring.query().filter((f) => f.verdict === 'DROPPED'), [], 'the baseline is not news');
  packets = 2;
  await sleep(1500);
  await rec.stop();
  const flows = ring.query();
  const fwd = flows.filter((f) => f.verdict === 'FORWARDED');
  assert.ok(fwd.length >= 2, `the reader was restarted: ${fwd.length} forwarded flows`);
  assert.deepEqual([fwd[0]?.source.pod, fwd[0]?.destination.pod, fwd[0]?.destination.port, fwd[0]?.time], ['client', 'server', 8080, '2026-12-06T04:52:06.289Z']);
  const dropped = flows.filter((f) => f.verdict === 'DROPPED');
  assert.equal(dropped.length, 1);
  assert.deepEqual([dropped[0]?.source.pod, dropped[0]?.destination.pod, dropped[0]?.direction, dropped[0]?.dropReason], ['client', 'server', 'ingress', 'POLICY_DENIED']);
});
