/**
 * Running the real `weft` CLI from integration tests, as a user would.
 */
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { weftCommand } from '../../src/util/paths.ts';
import { errorMessage } from '../../src/errors.ts';

export interface WeftRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function weft(args: readonly string[], env: NodeJS.ProcessEnv = process.env, input?: string): Promise<WeftRun> {
  const [bin, ...pre] = weftCommand();
  return new Promise((resolve) => {
    const child = spawn(bin ?? process.execPath, ['--no-warnings=ExperimentalWarning', ...pre, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
    child.stdin.end(input ?? '');
  });
}

/** Like weft() but throws with the output when the exit code is not 0. */
export async function weftOk(args: readonly string[], env: NodeJS.ProcessEnv = process.env, input?: string): Promise<string> {
  const r = await weft(args, env, input);
  if (r.code !== 0) throw new Error(`weft ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}

export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      lastErr = err;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastErr === undefined ? '' : `: ${errorMessage(lastErr)}`}`);
}

export interface PodJson {
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: { nodeName?: string };
  status: { phase: string; podIP: string; netns: string; node: string; restarts: number } | null;
}

export async function getPods(context: string, env: NodeJS.ProcessEnv, extra: readonly string[] = []): Promise<PodJson[]> {
  return JSON.parse(await weftOk(['--context', context, 'get', 'pods', '-o', 'json', ...extra], env)) as PodJson[];
}

export async function runningPods(context: string, env: NodeJS.ProcessEnv, selector: string, count: number): Promise<PodJson[]> {
  return waitFor(`${count} running pods with ${selector} in ${context}`, async () => {
    const pods = (await getPods(context, env, ['-l', selector])).filter((p) => p.status?.phase === 'Running');
    return pods.length === count ? pods : undefined;
  }, 90_000);
}
