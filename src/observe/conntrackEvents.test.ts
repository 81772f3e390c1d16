import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { LineSplitter, parseConntrackEvent } from './conntrackEvents.ts';

// Captured from `conntrack -E -e NEW -o extended,id,timestamp` (conntrack-tools 1.4.7) in a network namespace.
const captured = readFileSync(new URL('./conntrackEvents.fixture.txt', import.meta.url), 'utf8').split('\n');

test('parses captured TCP, UDP and ICMP NEW events: original and reply tuples, time, conntrack id', () => {
  const events = captured.map(parseConntrackEvent).filter((e) => e !== undefined);
  assert.equal(events.length, 3);
  assert.deepEqual(events[0], {
    timeMs: 1796532726289,
    proto: 'tcp',
    original: { src: '127.0.0.1', dst: '127.0.0.1', sport: 42386, dport: 8080 },
    reply: { src: '127.0.0.1', dst: '127.0.0.1', sport: 8080, dport: 42386 },
    id: 2518656976,
  });
  assert.deepEqual([events[1]?.proto, events[1]?.original.dport, events[1]?.id], ['udp', 5353, 2299365372]);
  assert.deepEqual([events[2]?.proto, events[2]?.original.sport, events[2]?.original.dport, events[2]?.id], ['icmp', 0, 0, 2927917137]);
});

test('a DNATed service connection: original destination the ClusterIP, reply source the backend', () => {
  const e = parseConntrackEvent(
    '[1796532726.000001]\t    [NEW] ipv4     2 tcp      6 120 SYN_SENT src=10.243.0.5 dst=10.244.0.10 sport=41234 dport=80 [UNREPLIED] src=10.241.1.7 dst=10.243.0.5 sport=8080 dport=41234 id=7',
  );
  assert.deepEqual([e?.original.dst, e?.original.dport, e?.reply.src, e?.reply.sport, e?.timeMs], ['10.244.0.10', 80, '10.241.1.7', 8080, 1796532726000]);
});

test('ignores summary lines, other events and garbage; works without the timestamp and id options', () => {
  assert.equal(parseConntrackEvent('conntrack v1.4.7 (conntrack-tools): 3 flow events have been shown.'), undefined);
  assert.equal(parseConntrackEvent(' [DESTROY] tcp      6 src=1.1.1.1 dst=2.2.2.2 sport=1 dport=2 src=2.2.2.2 dst=1.1.1.1 sport=2 dport=1'), undefined);
  assert.equal(parseConntrackEvent('[NEW] tcp 6 120 SYN_SENT src=1.1.1.1'), undefined);
  const plain = parseConntrackEvent('    [NEW] udp      17 30 src=10.1.0.2 dst=10.1.0.3 sport=5000 dport=53 [UNREPLIED] src=10.1.0.3 dst=10.1.0.2 sport=53 dport=5000');
  assert.deepEqual([plain?.timeMs, plain?.id, plain?.original.dport], [undefined, undefined, 53]);
});

test('LineSplitter keeps a partial line for the next chunk', () => {
  const s = new LineSplitter();
  assert.deepEqual(s.push('a\nb'), ['a']);
  assert.deepEqual(s.push('c\n'), ['bc']);
  assert.deepEqual(s.push(''), []);
});
