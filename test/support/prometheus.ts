/**
 * A real Prometheus (Debian's /usr/bin/prometheus) for integration tests: its
 * own config and TSDB in a temp dir, listening on 127.0.0.1:<free port>,
 * stopped by its PID. The config is written by scrapeConfig (pure).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { waitFor } from './weft.ts';

export const PROMETHEUS = '/usr/bin/prometheus';

export interface ScrapeJob {
  readonly job: string;
  readonly targets: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
}

/** prometheus.yml for the jobs (each target group with its labels). */
export function scrapeConfig(jobs: readonly ScrapeJob[], intervalS = 1): string {
  return stringify({
    global: { scrape_interval: `${intervalS}s`, scrape_timeout: `${intervalS}s`, evaluation_interval: `${intervalS}s` },
    scrape_configs: jobs.map((j) => ({ job_name: j.job, static_configs: [{ targets: [...j.targets], labels: { ...j.labels } }] })),
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface RunningPrometheus {
  readonly url: string;
  readonly pid: number;
  /** Every active target's health (`up`, `down`, `unknown`) by scrape URL. */
  targets(): Promise<{ scrapeUrl: string; health: string; lastError: string; labels: Record<string, string> }[]>;
  /** An instant query: its vector as labels → value. */
  query(promql: string): Promise<{ metric: Record<string, string>; value: number }[]>;
  stop(): Promise<void>;
}

export async function startPrometheus(jobs: readonly ScrapeJob[]): Promise<RunningPrometheus> {
  const dir = mkdtempSync(path.join(tmpdir(), 'wf-metrics-prom-'));
  writeFileSync(path.join(dir, 'prometheus.yml'), scrapeConfig(jobs));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(PROMETHEUS, [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid ?? 0;
  const api = async <T>(p: string): Promise<T> => {
    const res = await fetch(`${url}${p}`, { signal: AbortSignal.timeout(5000) });
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${p}: ${body.error ?? res.status}`);
    return body.data;
  };
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) process.kill(pid, 'SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(`prometheus ready on ${url} (${stderr})`, async () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited ${child.exitCode}: ${stderr}`);
      const res = await fetch(`${url}/-/ready`).catch(() => undefined);
      return res?.ok === true ? true : undefined;
    }, 30_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url,
    pid,
    targets: async () =>
      (await api<{ activeTargets: { scrapeUrl: string; health: string; lastError: string; labels: Record<string, string> }[] }>('/api/v1/targets')).activeTargets,
    query: async (q) =>
      (await api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(`/api/v1/query?query=${encodeURIComponent(q)}`)).result.map((r) => ({
        metric: r.metric,
        value: Number(r.value[1]),
      })),
    stop,
  };
}
