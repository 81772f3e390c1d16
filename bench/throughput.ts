/**
 * Cross-node pod-to-pod TCP throughput (iperf3) and request latency (sequential
 * 64-byte request/response round trips on one connection) over the path Weft
 * builds vs the same path built by hand, in native and tunnel mode, in one run.
 * Prints ONE JSON line. Needs root; everything it creates is removed.
 *
 *   node bench/throughput.ts [--seconds 5] [--repeats 3] [--rtt-count 200]
 *
 * Each figure is the median over the repeats; variants alternate order per repeat.
 */
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { exec } from '../src/util/exec.ts';
import { buildTopology } from './handbuilt.ts';
import type { Topology } from './handbuilt.ts';
import { measureRtt, runIperf, startEchoServer } from './podTraffic.ts';

const PREFIX = 'wf-bench-';
const ECHO_PORT = 7100;

interface Figures {
  gbps: number;
  /** Lowest and highest run (the spread shows how noisy the machine was). */
  gbpsMin?: number;
  gbpsMax?: number;
  retransmits: number;
  rttP50Us: number;
  rttP99Us: number;
  rttMeanUs: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.floor(p * (sorted.length - 1))] ?? NaN;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
}

const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

async function measure(topo: Topology, seconds: number, rttCount: number): Promise<Figures> {
  const iperf = await runIperf(topo.podB.netns, topo.podB.ip, topo.podA.netns, seconds);
  const server = await startEchoServer(topo.podB.netns, topo.podB.ip, ECHO_PORT);
  try {
    const rtt = await measureRtt(topo.podA.netns, topo.podB.ip, ECHO_PORT, { count: rttCount, warmup: 20, timeoutMs: 30_000 });
    if (!rtt.ok || rtt.samplesUs === undefined) throw new Error(`latency run failed: ${rtt.error ?? 'no samples'}`);
    const s = [...rtt.samplesUs].sort((a, b) => a - b);
    return {
      gbps: iperf.bitsPerSecond / 1e9,
      retransmits: iperf.retransmits,
      rttP50Us: percentile(s, 0.5),
      rttP99Us: percentile(s, 0.99),
      rttMeanUs: s.reduce((a, b) => a + b, 0) / s.length,
    };
  } finally {
    await server.stop();
  }
}

function summarize(runs: Figures[]): Figures {
  const pick = (k: 'gbps' | 'retransmits' | 'rttP50Us' | 'rttP99Us' | 'rttMeanUs'): number => round(median(runs.map((r) => r[k])), k === 'gbps' ? 3 : 1);
  const gbps = runs.map((r) => r.gbps);
  return { gbps: pick('gbps'), gbpsMin: round(Math.min(...gbps)), gbpsMax: round(Math.max(...gbps)), retransmits: pick('retransmits'), rttP50Us: pick('rttP50Us'), rttP99Us: pick('rttP99Us'), rttMeanUs: pick('rttMeanUs') };
}

/** Remove namespaces a previous, killed run of this benchmark left behind (only its own names). */
async function removeLeftovers(): Promise<void> {
  for (const n of ['p1', 'p2', 'n1', 'n2', 'ul'].map((s) => PREFIX + s)) {
    if (existsSync(`/run/netns/${n}`)) await exec('ip', ['netns', 'del', n]);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, repeats: { type: 'string', default: '3' }, 'rtt-count': { type: 'string', default: '200' } } });
  const seconds = Math.min(Math.max(Number(values.seconds), 1), 60);
  const repeats = Math.min(Math.max(Number(values.repeats), 1), 10);
  const rttCount = Math.min(Math.max(Number(values['rtt-count']), 10), 10_000);
  if (process.getuid?.() !== 0) throw new Error('bench/throughput.ts needs root (network namespaces)');
  await removeLeftovers();

  const started = Date.now();
  const runs: Record<string, Figures[]> = {};
  let current: Topology | undefined;
  const onSignal = (): void => {
    void (current?.cleanup() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  for (let r = 0; r < repeats; r++) {
    for (const mode of ['native', 'tunnel'] as const) {
      // Alternate which variant goes first so warm-up effects do not favour one.
      for (const weft of r % 2 === 0 ? [true, false] : [false, true]) {
        current = await buildTopology({ mode, weft, prefix: PREFIX });
        try {
          (runs[`${mode}/${weft ? 'weft' : 'handbuilt'}`] ??= []).push(await measure(current, seconds, rttCount));
        } finally {
          await current.cleanup();
          current = undefined;
        }
      }
    }
  }
  const result: Record<string, unknown> = {
    bench: 'datapath-throughput',
    baseline: 'handbuilt: the same namespaces, veths and routes / VXLAN made with plain ip and bridge commands, no Weft code',
    weft: 'compileDatapath + KernelDatapathApplier per node, pods wired by the CNI wiring plan, nft table inet weft applied',
    seconds,
    repeats,
    rttCount,
    rttPayloadBytes: 64,
  };
  for (const mode of ['native', 'tunnel'] as const) {
    const weft = summarize(runs[`${mode}/weft`] ?? []);
    const handbuilt = summarize(runs[`${mode}/handbuilt`] ?? []);
    result[mode] = {
      weft,
      handbuilt,
      ratio: {
        throughput: round(weft.gbps / handbuilt.gbps),
        rttP50: round(weft.rttP50Us / handbuilt.rttP50Us),
        rttP99: round(weft.rttP99Us / handbuilt.rttP99Us),
      },
    };
  }
  result['durationS'] = round((Date.now() - started) / 1000, 1);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (import.meta.main) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
