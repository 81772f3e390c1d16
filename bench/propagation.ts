/**
 * Mesh propagation: from a pod becoming ready in cluster A (its endpoint key
 * written to A's etcd, as A's agent does) to its entry being programmed in the
 * IP→endpoint table (nft ipcache) of cluster B's node — through B's operator
 * (reflector, mTLS) and B's agent. Baseline, same run: the same write seen by
 * a plain etcd watch on A (the floor any mesh design pays).
 * Two real lab clusters, enabled and connected; removed afterwards.
 *   node bench/propagation.ts [--count 60]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { createEtcdKv } from '../src/kvstore/etcd.ts';
import { keys } from '../src/kvstore/keys.ts';
import type { EndpointState } from '../src/model/state.ts';
import { resolveContext } from '../src/contexts/contexts.ts';
import { weftOk, weft } from '../test/support/weft.ts';
import { summary, round2 } from './lib/stats.ts';

const { values } = parseArgs({ options: { count: { type: 'string', default: '60' } } });
const COUNT = Math.min(500, Number(values.count));
const home = mkdtempSync(path.join(tmpdir(), 'weft-bench-prop-'));
const env = { ...process.env, WEFT_HOME: home };
process.env['WEFT_HOME'] = home;
const A = 'prop-a';
const B = 'prop-b';

async function setup(): Promise<void> {
  process.stderr.write('building two lab clusters, enabling and connecting them…\n');
  await weftOk(['lab', 'up', '--name', A, '--id', '241', '--nodes', '1', '--pod-cidr', '10.141.0.0/16', '--service-cidr', '10.191.0.0/16', '--routing', 'native'], env);
  await weftOk(['lab', 'up', '--name', B, '--id', '242', '--nodes', '1', '--pod-cidr', '10.142.0.0/16', '--service-cidr', '10.192.0.0/16', '--routing', 'native'], env);
  await weftOk(['clustermesh', 'enable', '--context', A, '--create-ca'], env);
  await weftOk(['clustermesh', 'enable', '--context', B, '--inherit-ca', A], env);
  await weftOk(['clustermesh', 'connect', '--context', A, '--destination-context', B], env);
  await weftOk(['clustermesh', 'status', '--context', B, '--wait', '--wait-duration', '90s'], env);
}

async function measure(): Promise<{ mesh: number[]; watch: number[] }> {
  const ctx = resolveContext(A);
  const kv = createEtcdKv({ endpoints: ctx.endpoints, ...(ctx.tls ? { tls: ctx.tls } : {}) });
  const seenWatch = new Map<string, number>();
  const seenMesh = new Map<string, number>();
  const watch = kv.watch(keys.endpointsPrefix(A), (await kv.list(keys.endpointsPrefix(A))).revision + 1, {
    onEvents: (evs) => {
      const t = performance.now();
      for (const e of evs) if (e.type === 'put') seenWatch.set(e.key, t);
    },
    onError: () => undefined,
  });
  const monitor = spawn('ip', ['netns', 'exec', `wf-${B}_n1`, 'nft', 'monitor', 'elements'], { stdio: ['ignore', 'pipe', 'ignore'] });
  createInterface({ input: monitor.stdout }).on('line', (line) => {
    const m = /^add element inet weft ipcache \{ ([\d.]+) :/.exec(line);
    if (m?.[1] !== undefined) seenMesh.set(m[1], performance.now());
  });
  await sleep(500);
  const mesh: number[] = [];
  const watchLat: number[] = [];
  try {
    for (let i = 0; i < COUNT; i++) {
      const ip = `10.141.200.${(i % 250) + 1}`;
      const key = keys.endpoint(A, 'bench', `pod-${i}`);
      const ep: EndpointState = { ip, node: 'n1', hostIP: '172.30.241.11', identity: 0, labels: { app: 'bench' }, namedPorts: [], ready: true };
      const t0 = performance.now();
      await kv.put(key, JSON.stringify(ep));
      const deadline = Date.now() + 5000;
      while ((!seenMesh.has(ip) || !seenWatch.has(key)) && Date.now() < deadline) await sleep(2);
      const tm = seenMesh.get(ip);
      const tw = seenWatch.get(key);
      if (tm !== undefined) mesh.push(tm - t0);
      if (tw !== undefined) watchLat.push(tw - t0);
      seenMesh.delete(ip);
      await kv.delete(key);
      await sleep(30);
    }
  } finally {
    monitor.kill('SIGTERM');
    watch.close();
    await kv.close();
  }
  return { mesh, watch: watchLat };
}

let exitCode = 0;
try {
  await setup();
  const { mesh, watch } = await measure();
  const m = summary(mesh);
  const w = summary(watch);
  process.stdout.write(
    `${JSON.stringify({
      bench: 'propagation',
      samples: COUNT,
      missed: COUNT - mesh.length,
      meshMs: m,
      baselineEtcdWatchMs: w,
      ratio: { p50: round2(m.p50 / w.p50), p99: round2(m.p99 / w.p99) },
      target: { meshP99MsAtMost: 500, met: m.p99 <= 500 && mesh.length === COUNT },
    })}\n`,
  );
} catch (err) {
  process.stderr.write(`propagation bench failed: ${String(err)}\n`);
  exitCode = 1;
} finally {
  await weft(['lab', 'down', '--name', A], env);
  await weft(['lab', 'down', '--name', B], env);
  rmSync(home, { recursive: true, force: true });
}
process.exitCode = exitCode;
