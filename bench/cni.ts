/**
 * CNI ADD / DEL latency: Weft's plugin vs Debian's reference `ptp` +
 * `host-local`, in the same run, in the same node netns, all executed as a
 * runtime does (`ip netns exec <node> <plugin>`, env + stdin), against an
 * in-process agent socket (the CNI server of a test node):
 *   weft      the thin client bin/cni/weft: forwards the invocation, the agent runs it
 *   weftFull  the full Node plugin bin/weft-cni (what bin/cni/weft used to be; its fallback)
 * Serial iterations rotate the plugins; parallel rounds run 16 ADDs at once,
 * then 16 DELs. The target (the issue's): weft serial ADD p50 within 3x of
 * ptp's. Prints ONE JSON line. Needs root; everything it creates is removed.
 *
 *   node bench/cni.ts [--serial 50] [--parallel 16] [--rounds 4] [--no-full]
 */
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createCniTestNode, FULL_PLUGIN, pluginDirFor } from '../src/cni/testNode.ts';
import type { CniTestNode } from '../src/cni/testNode.ts';
import { invokeChain } from '../src/cni/invoke.ts';
import type { CniConfList, CniResult } from '../src/cni/invoke.ts';
import { REFERENCE_CNI_DIR } from '../src/util/paths.ts';

interface Samples {
  add: number[];
  del: number[];
}
type Which = 'weft' | 'ptp' | 'weftFull';

interface Figures {
  addP50Ms: number;
  addP99Ms: number;
  delP50Ms: number;
  delP99Ms: number;
}

const { values } = parseArgs({
  options: { serial: { type: 'string', default: '50' }, parallel: { type: 'string', default: '16' }, rounds: { type: 'string', default: '4' }, 'no-full': { type: 'boolean', default: false } },
});
const SERIAL = Math.min(500, Number(values.serial));
const PARALLEL = Math.min(64, Number(values.parallel));
const ROUNDS = Math.min(20, Number(values.rounds));

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] ?? NaN;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

function figures(s: Samples): Figures {
  return { addP50Ms: round2(percentile(s.add, 0.5)), addP99Ms: round2(percentile(s.add, 0.99)), delP50Ms: round2(percentile(s.del, 0.5)), delP99Ms: round2(percentile(s.del, 0.99)) };
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await fn();
  return [r, performance.now() - t0];
}

interface Plugin {
  list: CniConfList;
  cniPath: string[];
}

async function cycleAll(node: CniTestNode, plugin: Plugin, ids: string[], pods: string[], out: Samples): Promise<void> {
  const list = plugin.list;
  const base = (i: number) => ({ containerId: ids[i] ?? '', netns: pods[i] ?? '', ifName: 'eth0', cniPath: plugin.cniPath, execPrefix: ['ip', 'netns', 'exec', node.netns], args: { IgnoreUnknown: '1', K8S_POD_NAMESPACE: 'bench', K8S_POD_NAME: ids[i] ?? '' } });
  const added = await Promise.all(ids.map((_, i) => timed(() => invokeChain(list, { ...base(i), command: 'ADD' }))));
  const deleted = await Promise.all(ids.map((_, i) => timed(() => invokeChain(list, { ...base(i), command: 'DEL' }, added[i]?.[0] as CniResult))));
  out.add.push(...added.map(([, ms]) => ms));
  out.del.push(...deleted.map(([, ms]) => ms));
}

async function main(): Promise<void> {
  const prefix = `wf-bench-cni-${process.pid}`;
  const node = await createCniTestNode({ prefix, cidr: '10.251.0.0/22' });
  const scratchDir = mkdtempSync(path.join(tmpdir(), `${prefix}-scratch-`));
  try {
    const weftList: CniConfList = { cniVersion: '1.0.0', name: 'weft', plugins: [node.weftConf()] };
    const plugins: Record<Which, Plugin> = {
      weft: { list: weftList, cniPath: node.cniPath },
      weftFull: { list: weftList, cniPath: [pluginDirFor(FULL_PLUGIN, scratchDir), REFERENCE_CNI_DIR] },
      ptp: {
        list: {
          cniVersion: '1.0.0',
          name: 'ptpbench',
          plugins: [{ type: 'ptp', ipMasq: false, ipam: { type: 'host-local', ranges: [[{ subnet: '10.252.0.0/22' }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: path.join(scratchDir, 'ipam') } }],
        },
        cniPath: node.cniPath,
      },
    };
    const which: Which[] = values['no-full'] === true ? ['weft', 'ptp'] : ['weft', 'ptp', 'weftFull'];
    const pods = await Promise.all(Array.from({ length: PARALLEL }, (_, i) => node.addPod(`p${i}`)));
    const empty = (): { serial: Samples; parallel: Samples } => ({ serial: { add: [], del: [] }, parallel: { add: [], del: [] } });
    const runs: Record<Which, { serial: Samples; parallel: Samples }> = { weft: empty(), ptp: empty(), weftFull: empty() };
    const warm: Samples = { add: [], del: [] };
    for (let i = 0; i < 3; i++) {
      for (const w of which) await cycleAll(node, plugins[w], [`warm-${w}${i}`], pods, warm);
    }
    const rotated = (k: number): Which[] => which.map((_, j) => which[(j + k) % which.length] ?? 'weft');
    for (let i = 0; i < SERIAL; i++) {
      for (const w of rotated(i)) await cycleAll(node, plugins[w], [`s-${w}-${i}`], pods, runs[w].serial);
    }
    for (let r = 0; r < ROUNDS; r++) {
      for (const w of rotated(r)) {
        const ids = Array.from({ length: PARALLEL }, (_, i) => `r${r}-${w}-${i}`);
        await cycleAll(node, plugins[w], ids, pods, runs[w].parallel);
      }
    }
    if (node.ipam.list().length !== 0) throw new Error(`weft IPAM still holds ${node.ipam.list().length} addresses after the benchmark`);
    const w = { serial: figures(runs.weft.serial), parallel: figures(runs.weft.parallel) };
    const p = { serial: figures(runs.ptp.serial), parallel: figures(runs.ptp.parallel) };
    const full = which.includes('weftFull') ? { weftFull: { serial: figures(runs.weftFull.serial), parallel: figures(runs.weftFull.parallel) } } : {};
    const ratio = (a: number, b: number): number => round2(a / b);
    const result = {
      bench: 'cni',
      iterations: { serial: SERIAL, parallel: PARALLEL, rounds: ROUNDS },
      weft: { ...w, plugin: 'bin/cni/weft: thin perl client, the agent runs the plugin in-process' },
      ptp: { ...p, plugins: 'ptp + host-local (Debian containernetworking-plugins)' },
      ...full,
      ratio: {
        serialAddP50: ratio(w.serial.addP50Ms, p.serial.addP50Ms),
        serialAddP99: ratio(w.serial.addP99Ms, p.serial.addP99Ms),
        serialDelP50: ratio(w.serial.delP50Ms, p.serial.delP50Ms),
        parallelAddP50: ratio(w.parallel.addP50Ms, p.parallel.addP50Ms),
        parallelAddP99: ratio(w.parallel.addP99Ms, p.parallel.addP99Ms),
        parallelDelP50: ratio(w.parallel.delP50Ms, p.parallel.delP50Ms),
      },
      target: { serialAddP50WithinX: 3, met: w.serial.addP50Ms <= 3 * p.serial.addP50Ms },
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await node.close();
    rmSync(scratchDir, { recursive: true, force: true });
  }
}

await main();
