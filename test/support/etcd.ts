/**
 * A throwaway real etcd for integration tests: /usr/bin/etcd on 127.0.0.1
 * with free client and peer ports and a temp data dir. Ended only through
 * its recorded PID; the data dir is removed on stop.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { exec } from '../../src/util/exec.ts';
import { etcdLimitFlags } from '../../src/kvstore/etcdLimits.ts';
import { recordProcess, stopProcess, isAlive, type ProcessRecord } from '../../src/util/proc.ts';

export const ETCD_BIN = '/usr/bin/etcd';

export interface TestEtcd {
  endpoint: string;
  pid: number;
  stop(): Promise<void>;
  /** Stop and start again with the same data dir and ports. */
  restart(): Promise<void>;
  /** Stop the process but keep the data dir (resume() starts it again). */
  pause(): Promise<void>;
  /** Start again after pause(), same data dir and ports. */
  resume(): Promise<void>;
}

/** A port free on 127.0.0.1 right now (the kernel picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Records of every etcd this process started and has not stopped yet. */
const running = new Set<ProcessRecord>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const rec of running) {
      if (isAlive(rec)) process.kill(rec.pid, 'SIGKILL');
    }
  });
}

async function waitHealthy(metricsUrl: string, rec: ProcessRecord, stderr: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(rec)) throw new Error(`etcd (pid ${rec.pid}) exited before becoming healthy: ${stderr()}`);
    try {
      const res = await fetch(`${metricsUrl}/health`, { signal: AbortSignal.timeout(1000) });
      const body = (await res.json()) as { health?: string };
      if (body.health === 'true') return;
    } catch {
      /* not up yet */
    }
    await sleep(50);
  }
  throw new Error(`etcd with health at ${metricsUrl} (pid ${rec.pid}) not healthy after ${timeoutMs} ms: ${stderr()}`);
}

export interface TestEtcdOptions {
  /** Serve clients over TLS with these files and require client certificates (mTLS). */
  tls?: { caFile: string; certFile: string; keyFile: string };
}

export async function startTestEtcd(opts: TestEtcdOptions = {}): Promise<TestEtcd> {
  installExitHook();
  const dir = mkdtempSync(path.join(tmpdir(), 'weft-test-etcd-'));
  const [clientPort, peerPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const endpoint = `${opts.tls === undefined ? 'http' : 'https'}://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const metrics = `http://127.0.0.1:${metricsPort}`;
  const tlsArgs =
    opts.tls === undefined
      ? []
      : ['--cert-file', opts.tls.certFile, '--key-file', opts.tls.keyFile, '--trusted-ca-file', opts.tls.caFile, '--client-cert-auth'];
  const args = [
    ...tlsArgs,
    '--listen-metrics-urls', metrics,
    '--name', 'test',
    '--data-dir', path.join(dir, 'data'),
    '--listen-client-urls', endpoint,
    '--advertise-client-urls', endpoint,
    '--listen-peer-urls', peer,
    '--initial-advertise-peer-urls', peer,
    '--initial-cluster', `test=${peer}`,
    '--logger=zap',
    '--log-level', 'error',
    ...etcdLimitFlags(), // as the lab's etcd
  ];
  let rec: ProcessRecord | undefined;

  const launch = async (): Promise<void> => {
    const child = spawn(ETCD_BIN, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b: Buffer) => {
      err = (err + b.toString('utf8')).slice(-4000);
    });
    child.on('error', (e) => {
      err += `spawn failed: ${e.message}`;
    });
    if (child.pid === undefined) {
      await sleep(10);
      throw new Error(`cannot start ${ETCD_BIN}: ${err}`);
    }
    rec = recordProcess(child.pid);
    running.add(rec);
    try {
      await waitHealthy(metrics, rec, () => err.trim(), 15_000);
    } catch (e) {
      await halt();
      throw e;
    }
  };

  const halt = async (): Promise<void> => {
    if (rec === undefined) return;
    const r = rec;
    rec = undefined;
    await stopProcess(r, 5000);
    running.delete(r);
  };

  try {
    await launch();
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }

  const handle: TestEtcd = {
    endpoint,
    pid: rec?.pid ?? 0,
    stop: async () => {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
    restart: async () => {
      await handle.pause();
      await handle.resume();
    },
    pause: halt,
    resume: async () => {
      await launch();
      handle.pid = rec?.pid ?? 0;
    },
  };
  return handle;
}

/** Compact the etcd's history at `revision` (physical), with etcdctl. */
export async function compactEtcd(endpoint: string, revision: number): Promise<void> {
  await exec('etcdctl', ['--endpoints', endpoint, 'compact', String(revision), '--physical'], { env: { ...process.env, ETCDCTL_API: '3' }, timeoutMs: 10_000 });
}
