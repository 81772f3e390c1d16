/**
 * Runs a walkthrough page (docs/*.md, format in walkthroughPage.ts) for real:
 * each step in order through bash, in the checkout, with `bin/weft` first on
 * PATH, WEFT_HOME of its own and NO_COLOR. Shell variables a step sets
 * (`POD=$(weft get pods … -o name)`) are seen by the steps after it. KUBECONFIG
 * is a file in that WEFT_HOME, so kubectl sees only the run's lab contexts. A step
 * that fails unexpectedly stops the run; the page's teardown steps run anyway.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { PROJECT_ROOT } from '../../src/util/paths.ts';
import { parseWalkthrough } from './walkthroughPage.ts';
import type { WalkthroughStep } from './walkthroughPage.ts';

export interface StepRun {
  readonly id: string;
  readonly script: string;
  /** stdout and stderr as the terminal would show them, WEFT_HOME spelled `$WEFT_HOME`. */
  readonly output: string;
  readonly code: number;
  readonly ms: number;
  /** The exit code is what the page says (0, or non-zero for a `fails` step). */
  readonly ok: boolean;
}

export interface WalkthroughRun {
  readonly page: string;
  readonly steps: readonly StepRun[];
  /** The first step whose exit code was not what the page says, if any. */
  readonly failed: StepRun | undefined;
  /** The output of step `id` (throws if it did not run). */
  output(id: string): string;
}

export interface RunOptions {
  /** WEFT_HOME for the run (a folder of its own). */
  readonly home: string;
  /** Called after each step (progress for the capture script). */
  readonly onStep?: (run: StepRun) => void;
  /** Per-step limit; the step's process group is killed after it. */
  readonly stepTimeoutMs?: number;
  /**
   * Steps whose outcome is random (a load-balanced service answered by both
   * clusters): step id → check of its output (given the outputs of the steps
   * before it, by id). Such a step is run again, up
   * to `attempts` times in all (default 3), until its check passes; the last
   * run is kept. Only for steps that can be repeated as they are.
   */
  readonly until?: Readonly<Record<string, (output: string, earlier: ReadonlyMap<string, string>) => boolean>>;
  readonly attempts?: number;
}

/** The run's own user kubeconfig (Kubernetes-mode pages merge their contexts there, as kind does into ~/.kube/config), never the caller's. */
export function walkKubeconfig(home: string): string {
  return path.join(home, '.kube', 'config');
}

function stepEnv(home: string): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${path.join(PROJECT_ROOT, 'bin')}:${process.env['PATH'] ?? '/usr/bin:/bin'}`, WEFT_HOME: home, KUBECONFIG: walkKubeconfig(home), NO_COLOR: '1', WALK_STATE: path.join(home, 'walkthrough.env') };
}

/** One step in bash: earlier steps' variables loaded, this step's saved for the next. */
export function runStep(step: Pick<WalkthroughStep, 'id' | 'script' | 'fails'>, home: string, timeoutMs = 240_000): Promise<StepRun> {
  const script = ['set -a', '[ -f "$WALK_STATE" ] && . "$WALK_STATE"', "trap 'export -p > \"$WALK_STATE\"' EXIT", 'set -eo pipefail', 'exec 2>&1', step.script].join('\n');
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', script], { cwd: PROJECT_ROOT, env: stepEnv(home), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => chunks.push(b));
    child.stderr.on('data', (b: Buffer) => chunks.push(b));
    const timer = setTimeout(() => {
      chunks.push(Buffer.from(`\n[walkthrough: step ${step.id} killed after ${timeoutMs} ms]\n`));
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, timeoutMs);
    child.on('close', (c) => {
      clearTimeout(timer);
      const code = c ?? 137;
      const output = Buffer.concat(chunks).toString().split(home).join('$WEFT_HOME').replace(/[ \t]+$/gm, '');
      resolve({ id: step.id, script: step.script, output, code, ms: Math.round(performance.now() - t0), ok: step.fails ? code !== 0 : code === 0 });
    });
  });
}

export async function runWalkthrough(page: string, opts: RunOptions): Promise<WalkthroughRun> {
  const file = path.isAbsolute(page) ? page : path.join(PROJECT_ROOT, page);
  const steps = parseWalkthrough(readFileSync(file, 'utf8'));
  writeFileSync(path.join(opts.home, 'walkthrough.env'), '');
  const runs: StepRun[] = [];
  let failed: StepRun | undefined;
  for (const step of steps) {
    if (failed !== undefined && !step.teardown) continue;
    const check = opts.until?.[step.id];
    let run = await runStep(step, opts.home, opts.stepTimeoutMs);
    const earlier = new Map(runs.map((r) => [r.id, r.output]));
    for (let n = 1; check !== undefined && run.ok && !check(run.output, earlier) && n < (opts.attempts ?? 3); n++) run = await runStep(step, opts.home, opts.stepTimeoutMs);
    runs.push(run);
    opts.onStep?.(run);
    if (!run.ok && failed === undefined) failed = run;
  }
  return {
    page,
    steps: runs,
    failed,
    output(id: string): string {
      const r = runs.find((s) => s.id === id);
      if (r === undefined) throw new Error(`${page}: step "${id}" did not run${failed ? ` (step "${failed.id}" failed first)` : ''}`);
      return r.output;
    },
  };
}

/** A one-paragraph account of a failed run, for assertion messages. */
export function describeFailure(run: WalkthroughRun): string {
  const f = run.failed;
  if (f === undefined) return `${run.page}: every step ran as the page says`;
  return `${run.page}: step "${f.id}" exited ${f.code}${f.code === 0 ? ' (the page expects it to fail)' : ''}\n$ ${f.script}\n${f.output}`;
}
