/**
 * How long a `weft` command takes to start and answer, with what it costs
 * beside it in the same run, alternating order per sample:
 *   - node: a bare `node -e ''` (the floor: Node's own start);
 *   - before: the CLI as it started until 2026-12 (every module loaded
 *     eagerly, the Kubernetes client included, no compile cache):
 *     `--import @kubernetes/client-node` with NODE_DISABLE_COMPILE_CACHE=1;
 *   - weft: the CLI as it is (the Kubernetes client only in the daemons and
 *     `lab up --kubernetes`; Node's compile cache, warmed by the first run).
 * Each runs `weft config get-contexts -o json` against an empty WEFT_HOME
 * (no etcd, no network). Prints ONE JSON line with the p50s and ratios.
 *
 *   node bench/cliStart.ts [--samples 15]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { execFull } from '../src/util/exec.ts';
import { CLI_ENTRY, NODE_BIN, PROJECT_ROOT } from '../src/util/paths.ts';
import { percentile } from './lib/stats.ts';

const { values } = parseArgs({ options: { samples: { type: 'string', default: '15' } } });
const samples = Number(values.samples);
const home = mkdtempSync(path.join(tmpdir(), 'wf-bench-cli-'));
const cache = mkdtempSync(path.join(tmpdir(), 'wf-bench-cli-cache-'));
const env = { ...process.env, WEFT_HOME: home, NODE_COMPILE_CACHE: cache };
const ARGS = ['config', 'get-contexts', '-o', 'json'];

type Variant = 'node' | 'before' | 'weft';
const command: Record<Variant, { argv: string[]; env: NodeJS.ProcessEnv }> = {
  node: { argv: ['-e', ''], env },
  before: { argv: ['--no-warnings=ExperimentalWarning', '--import', '@kubernetes/client-node', CLI_ENTRY, ...ARGS], env: { ...env, NODE_DISABLE_COMPILE_CACHE: '1' } },
  weft: { argv: ['--no-warnings=ExperimentalWarning', CLI_ENTRY, ...ARGS], env },
};

async function timed(v: Variant): Promise<number> {
  const t0 = process.hrtime.bigint();
  await execFull(NODE_BIN, command[v].argv, { env: command[v].env, cwd: PROJECT_ROOT, timeoutMs: 60_000 }); // throws on a non-zero exit
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

try {
  await timed('weft'); // warms the compile cache, as any first run does
  const ms: Record<Variant, number[]> = { node: [], before: [], weft: [] };
  const order: Variant[] = ['node', 'before', 'weft'];
  for (let i = 0; i < samples; i++) {
    for (const v of i % 2 === 0 ? order : [...order].reverse()) ms[v].push(await timed(v));
    process.stderr.write(`\r${i + 1}/${samples} samples`);
  }
  process.stderr.write('\n');
  const p50 = (v: Variant): number => Math.round(percentile(ms[v], 0.5));
  console.log(
    JSON.stringify({
      bench: 'cliStart',
      command: `weft ${ARGS.join(' ')}`,
      samples,
      p50Ms: { node: p50('node'), before: p50('before'), weft: p50('weft') },
      ratioWeftToBefore: Number((p50('weft') / p50('before')).toFixed(2)),
      weftAboveNodeMs: p50('weft') - p50('node'),
    }),
  );
} finally {
  rmSync(home, { recursive: true, force: true });
  rmSync(cache, { recursive: true, force: true });
}
