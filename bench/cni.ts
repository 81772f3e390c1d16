/**
 * CNI ADD / DEL latency: Weft's plugin (bin/cni/weft + an in-process agent
 * socket) vs Debian's reference `ptp` + `host-local`, in the same run, in the
 * same node netns, both executed as a runtime does (`ip netns exec <node>
 * <plugin>`, env + stdin). Serial iterations alternate the two plugins;
 * parallel rounds run 16 ADDs at once, then 16 DELs. Prints ONE JSON line.
 * Needs root; everything it creates is removed.
 *
 *   node bench/cni.ts [--serial 50] [--parallel 16] [--rounds 4]
 */
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createCniTestNode } from '../src/cni/testNode.ts';
import type { CniTestNode } from '../src/cni/testNode.ts';
import { invokeChain } from '../src/cni/invoke.ts';
import type { CniConfList, CniResult } from '../src/cni/invoke.ts';

interface Samples {
  add: number[];
  del: number[];
}
interface Figures {
  addP50Ms: number;
  addP99Ms: number;
  delP50Ms: number;
  delP99Ms: number;
}

const { values } = parseArgs({ options: { serial: { type: 'string', default: '50' }, parallel: { type: 'string', default: '16' }, rounds: { type: 'string', default: '4' } } });
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

async function cycleAll(node: CniTestNode, list: CniConfList, ids: string[], pods: string[], out: Samples): Promise<void> {
  const base = (i: number) => ({ containerId: ids[i] ?? '', netns: pods[i] ?? '', ifName: 'eth0', cniPath: node.cniPath, execPrefix: ['ip', 'netns', 'exec', node.netns], args: { IgnoreUnknown: '1', K8S_POD_NAMESPACE: 'bench', K8S_POD_NAME: ids[i] ?? '' } });
  const added = await Promise.all(ids.map((_, i) => timed(() => invokeChain(list, { ...base(i), command: 'ADD' }))));
  const deleted = await Promise.all(ids.map((_, i) => timed(() => invokeChain(list, { ...base(i), command: 'DEL' }, added[i]?.[0] as CniResult))));
  out.add.push(...added.map(([, ms]) => ms));
  out.del.push(...deleted.map(([, ms]) => ms));
}

async function main(): Promise<void> {
  const prefix = `wf-bench-cni-${process.pid}`;
  const node = await createCniTestNode({ prefix, cidr: '10.251.0.0/22' });
  const hostLocalDir = mkdtempSync(path.join(tmpdir(), `${prefix}-hostlocal-`));
  try {
    const weft: CniConfList = { cniVersion: '1.0.0', name: 'weft', plugins: [node.weftConf()] };
    const ptp: CniConfList = {
      cniVersion: '1.0.0',
      name: 'ptpbench',
      plugins: [{ type: 'ptp', ipMasq: false, ipam: { type: 'host-local', ranges: [[{ subnet: '10.252.0.0/22' }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: hostLocalDir } }],
    };
    const pods = await Promise.all(Array.from({ length: PARALLEL }, (_, i) => node.addPod(`p${i}`)));
    const runs = { weft: { serial: { add: [], del: [] } as Samples, parallel: { add: [], del: [] } as Samples }, ptp: { serial: { add: [], del: [] } as Samples, parallel: { add: [], del: [] } as Samples } };
    const warm: Samples = { add: [], del: [] };
    for (let i = 0; i < 3; i++) {
      await cycleAll(node, weft, [`warm-w${i}`], pods, warm);
      await cycleAll(node, ptp, [`warm-p${i}`], pods, warm);
    }
    for (let i = 0; i < SERIAL; i++) {
      const order = i % 2 === 0 ? (['weft', 'ptp'] as const) : (['ptp', 'weft'] as const);
      for (const which of order) await cycleAll(node, which === 'weft' ? weft : ptp, [`s-${which}-${i}`], pods, runs[which].serial);
    }
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? (['weft', 'ptp'] as const) : (['ptp', 'weft'] as const);
      for (const which of order) {
        const ids = Array.from({ length: PARALLEL }, (_, i) => `r${r}-${which}-${i}`);
        await cycleAll(node, which === 'weft' ? weft : ptp, ids, pods, runs[which].parallel);
      }
    }
    if (node.ipam.list().length !== 0) throw new Error(`weft IPAM still holds ${node.ipam.list().length} addresses after the benchmark`);
    const w = { serial: figures(runs.weft.serial), parallel: figures(runs.weft.parallel) };
    const p = { serial: figures(runs.ptp.serial), parallel: figures(runs.ptp.parallel) };
    const ratio = (a: number, b: number): number => round2(a / b);
    const result = {
      bench: 'cni',
      iterations: { serial: SERIAL, parallel: PARALLEL, rounds: ROUNDS },
      weft: w,
      ptp: { ...p, plugins: 'ptp + host-local (Debian containernetworking-plugins)' },
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
    rmSync(hostLocalDir, { recursive: true, force: true });
  }
}

await main();
