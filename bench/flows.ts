/**
 * The cost of flow recording: cross-node pod-to-pod TCP throughput (iperf3)
 * and connection latency (sequential new connections: connect, 64-byte
 * request, answer, close) over Weft's datapath with each node's flow
 * recorder on (conntrack -E in the node's netns, drop/reject records polled
 * every second, every event enriched into the ring) beside off, in the same
 * run, alternating order per repeat. Prints ONE JSON line with the ratios.
 *
 *   node bench/flows.ts [--seconds 5] [--repeats 3] [--connections 300]
 */
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { exec, execFull } from '../src/util/exec.ts';
import { NODE_BIN } from '../src/util/paths.ts';
import { netnsNetTools } from '../src/datapath/netTools.ts';
import { silentLogger } from '../src/util/log.ts';
import { CONNTRACK_EVENT_ARGS } from '../src/observe/conntrackEvents.ts';
import { FlowRing } from '../src/observe/flowRing.ts';
import { startFlowRecorder } from '../src/observe/flowRecorder.ts';
import type { FlowRecorder } from '../src/observe/flowRecorder.ts';
import { buildFlowView } from '../src/observe/flowView.ts';
import { buildTopology } from './handbuilt.ts';
import type { Topology } from './handbuilt.ts';
import { runIperf, startEchoServer } from './podTraffic.ts';

const PREFIX = 'wf-bflow-';
const ECHO_PORT = 7100;

/** N sequential connections, each: connect, send 64 bytes, wait for the echo, close. Prints the per-connection µs as JSON. */
const CONNECT_CLIENT = `
import net from 'node:net';
const [ip, port, count] = process.argv.slice(1);
const out = [];
for (let i = 0; i < Number(count) + 20; i++) {
  const t0 = process.hrtime.bigint();
  await new Promise((resolve, reject) => {
    const s = net.connect(Number(port), ip, () => s.write(Buffer.alloc(64, 120)));
    s.setTimeout(5000, () => reject(new Error('timeout')));
    s.once('data', () => { s.destroy(); resolve(); });
    s.once('error', reject);
  });
  if (i >= 20) out.push(Number(process.hrtime.bigint() - t0) / 1000);
}
console.log(JSON.stringify(out));
`;

async function connectionLatencies(netns: string, ip: string, port: number, count: number): Promise<number[]> {
  const r = await execFull('ip', ['netns', 'exec', netns, NODE_BIN, '--input-type=module', '-e', CONNECT_CLIENT, ip, String(port), String(count)], { timeoutMs: 120_000 });
  return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '[]') as number[];
}

const pct = (sorted: number[], p: number): number => sorted[Math.floor(p * (sorted.length - 1))] ?? NaN;
const median = (xs: number[]): number => pct([...xs].sort((a, b) => a - b), 0.5);
const round = (x: number, d = 3): number => Number(x.toFixed(d));

interface Figures {
  gbps: number;
  connP50Us: number;
  connP99Us: number;
  /** Flows the recorders kept during the run (on only). */
  flows: number;
}

function startRecorders(topo: Topology): { recorders: FlowRecorder[]; rings: FlowRing[] } {
  const view = buildFlowView(
    topo.pods.map((p, i) => ({ cluster: 'bench', namespace: 'default', pod: `pod-${i}`, value: { ip: p.ip, node: p.node.name, hostIP: p.node.ip, identity: 100 + i, labels: { app: `pod-${i}` }, namedPorts: [], ready: true } })),
    [],
  );
  const rings = topo.nodes.map(() => new FlowRing(4096));
  const recorders = topo.nodes.map((n, i) =>
    startFlowRecorder({
      node: n.name,
      cluster: 'bench',
      ring: rings[i] ?? new FlowRing(),
      view: () => view,
      tools: netnsNetTools(n.netns),
      logger: silentLogger,
      conntrack: ['ip', 'netns', 'exec', n.netns, 'conntrack', ...CONNTRACK_EVENT_ARGS],
    }),
  );
  return { recorders, rings };
}

async function measure(topo: Topology, on: boolean, seconds: number, connections: number): Promise<Figures> {
  const rec = on ? startRecorders(topo) : undefined;
  const server = await startEchoServer(topo.podB.netns, topo.podB.ip, ECHO_PORT);
  try {
    if (rec !== undefined) await Promise.all(rec.recorders.map((r) => r.ready));
    const iperf = await runIperf(topo.podB.netns, topo.podB.ip, topo.podA.netns, seconds);
    const lat = (await connectionLatencies(topo.podA.netns, topo.podB.ip, ECHO_PORT, connections)).sort((a, b) => a - b);
    if (lat.length < connections) throw new Error(`connection run incomplete: ${lat.length}/${connections}`);
    await new Promise((r) => setTimeout(r, 300));
    return { gbps: iperf.bitsPerSecond / 1e9, connP50Us: pct(lat, 0.5), connP99Us: pct(lat, 0.99), flows: rec?.rings.reduce((a, r) => a + r.seen, 0) ?? 0 };
  } finally {
    await server.stop();
    if (rec !== undefined) await Promise.all(rec.recorders.map((r) => r.stop()));
  }
}

async function removeLeftovers(): Promise<void> {
  for (const n of ['p1', 'p2', 'n1', 'n2', 'ul'].map((s) => PREFIX + s)) if (existsSync(`/run/netns/${n}`)) await exec('ip', ['netns', 'del', n]);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, repeats: { type: 'string', default: '3' }, connections: { type: 'string', default: '300' } } });
  const seconds = Math.min(Math.max(Number(values.seconds), 1), 60);
  const repeats = Math.min(Math.max(Number(values.repeats), 1), 10);
  const connections = Math.min(Math.max(Number(values.connections), 10), 10_000);
  if (process.getuid?.() !== 0) throw new Error('bench/flows.ts needs root (network namespaces)');
  await removeLeftovers();
  const started = Date.now();
  const topo = await buildTopology({ mode: 'native', weft: true, prefix: PREFIX });
  const onSignal = (): void => void topo.cleanup().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const runs: { on: Figures[]; off: Figures[] } = { on: [], off: [] };
  try {
    for (let r = 0; r < repeats; r++) {
      for (const on of r % 2 === 0 ? [true, false] : [false, true]) (on ? runs.on : runs.off).push(await measure(topo, on, seconds, connections));
    }
  } finally {
    await topo.cleanup();
  }
  const sum = (xs: Figures[]): Figures => ({
    gbps: round(median(xs.map((x) => x.gbps))),
    connP50Us: round(median(xs.map((x) => x.connP50Us)), 1),
    connP99Us: round(median(xs.map((x) => x.connP99Us)), 1),
    flows: Math.round(median(xs.map((x) => x.flows))),
  });
  const on = sum(runs.on);
  const off = sum(runs.off);
  process.stdout.write(
    `${JSON.stringify({
      bench: 'flows',
      baseline: 'the same two nodes and pods (Weft datapath, native routing) with no flow recorder running',
      seconds,
      repeats,
      connections,
      on,
      off,
      ratio: { throughput: round(on.gbps / off.gbps), connP50: round(on.connP50Us / off.connP50Us), connP99: round(on.connP99Us / off.connP99Us) },
      durationS: round((Date.now() - started) / 1000, 1),
    })}\n`,
  );
}

if (import.meta.main) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
