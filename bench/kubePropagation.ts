/**
 * Propagation in Kubernetes mode beside standalone mode, in the same run:
 * from `kubectl apply` of a 1-replica Deployment (and a global Service) in
 * cluster 1 to the pod's IP programmed in the IP→endpoint table (nft
 * ipcache) of cluster 2's node — through Kubernetes' deployment controller,
 * ReplicaSet controller and scheduler, the agent as kubelet (CNI ADD, the
 * endpoint in etcd), cluster 2's operator (reflector, mTLS) and agent. The
 * same manifest with `weft apply` on two meshed standalone clusters (Weft's
 * own controllers) is the baseline. Samples alternate between the two pairs;
 * each sample's Deployment is deleted, and its IP gone from the other
 * cluster's ipcache, before the next one. Both timings include the CLI's own
 * start (kubectl's, weft's); c2's ipcache is read by an `nft monitor` started
 * for each sample. Four lab clusters, removed afterwards.
 *   node bench/kubePropagation.ts [--count 30]
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { weft, weftOk } from '../test/support/weft.ts';
import { summary, round2 } from './lib/stats.ts';

const { values } = parseArgs({ options: { count: { type: 'string', default: '30' } } });
const COUNT = Math.min(200, Number(values.count));
/** Every `nft monitor` line, for diagnosis. */
const RAW_LOG = process.env['WEFT_BENCH_NFT_LOG'];
const home = mkdtempSync(path.join(tmpdir(), 'weft-bench-kprop-'));
const kubeconfig = path.join(home, 'kubeconfig-user');
const env = { ...process.env, WEFT_HOME: home, KUBECONFIG: kubeconfig };
process.env['WEFT_HOME'] = home;

interface Pair {
  readonly mode: 'kubernetes' | 'standalone';
  readonly c1: string;
  readonly c2: string;
  /** First two octets of c1's pod CIDR ("10.179."): the IPs watched for on c2's node. */
  readonly c1Prefix: string;
}
const KUBE: Pair = { mode: 'kubernetes', c1: 'kprop-k1', c2: 'kprop-k2', c1Prefix: '10.179.' };
const STANDALONE: Pair = { mode: 'standalone', c1: 'kprop-s1', c2: 'kprop-s2', c1Prefix: '10.181.' };
const LABS = [
  { name: KUBE.c1, id: '79', pods: '10.179.0.0/16', services: '10.79.0.0/16', kube: true },
  { name: KUBE.c2, id: '80', pods: '10.180.0.0/16', services: '10.80.0.0/16', kube: true },
  { name: STANDALONE.c1, id: '81', pods: '10.181.0.0/16', services: '10.81.0.0/16', kube: false },
  { name: STANDALONE.c2, id: '82', pods: '10.182.0.0/16', services: '10.82.0.0/16', kube: false },
];

/** The sample's objects: a 1-replica Deployment of the echo stand-in and a global Service. */
function manifest(name: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 1
  selector:
    matchLabels: { app: ${name} }
  template:
    metadata:
      labels: { app: ${name} }
    spec:
      containers:
        - name: echo
          image: jmalloc/echo-server
          ports: [{ containerPort: 8080 }]
---
apiVersion: v1
kind: Service
metadata:
  name: ${name}
  annotations: { service.cilium.io/global: "true" }
spec:
  selector: { app: ${name} }
  ports: [{ port: 80, targetPort: 8080, protocol: TCP }]
`;
}

function run(cmd: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    const err: Buffer[] = [];
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${Buffer.concat(err).toString().trim()}`))));
  });
}

async function labUp(l: (typeof LABS)[number]): Promise<void> {
  const args = ['lab', 'up', ...(l.kube ? ['--kubernetes'] : []), '--name', l.name, '--id', l.id, '--nodes', '1', '--pod-cidr', l.pods, '--service-cidr', l.services, '--routing', 'tunnel'];
  const r = await weft(args, env);
  if (r.code === 0) return;
  if (/etcd not healthy/.test(r.stderr)) await weftOk(args, env); // load: retry once
  else throw new Error(`weft ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
}

async function setup(): Promise<void> {
  process.stderr.write('building four lab clusters (two in Kubernetes mode), meshing them in pairs…\n');
  for (const l of LABS) await labUp(l);
  for (const p of [KUBE, STANDALONE]) {
    await weftOk(['clustermesh', 'enable', '--context', p.c1, '--create-ca'], env);
    await weftOk(['clustermesh', 'enable', '--context', p.c2, '--inherit-ca', p.c1], env);
    await weftOk(['clustermesh', 'connect', '--context', p.c1, '--destination-context', p.c2], env);
    await weftOk(['clustermesh', 'status', '--context', p.c2, '--wait', '--wait-duration', '90s'], env);
  }
}

/** c2's node ipcache as `nft monitor` reports it: the IPs present, and every add with its time. */
class IpcacheMonitor {
  readonly present = new Set<string>();
  readonly added: { ip: string; t: number }[] = [];
  /** How often `nft monitor` ended and was started again (it exits on a netlink overrun, e.g. the agent's full resync). */
  restarts = 0;
  lastExit = '';
  #child: ChildProcessByStdio<null, Readable, Readable> | undefined;
  #stopped = false;
  readonly #cluster: string;
  constructor(cluster: string) {
    this.#cluster = cluster;
    this.#start();
  }
  #start(): void {
    const child = spawn('ip', ['netns', 'exec', `wf-${this.#cluster}_n1`, 'nft', 'monitor', 'elements'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const t = performance.now();
      if (RAW_LOG !== undefined) appendFileSync(RAW_LOG, `${this.#cluster} ${t.toFixed(1)} ${line}\n`);
      // One line can carry several elements: "add element inet weft ipcache { ip : mark, ip : mark }".
      const m = /^(add|delete) element inet weft ipcache \{(.*)\}/.exec(line);
      if (m === null) return;
      for (const [, ip = ''] of (m[2] ?? '').matchAll(/([\d.]+) :/g)) {
        if (m[1] === 'delete') this.present.delete(ip);
        else {
          this.present.add(ip);
          this.added.push({ ip, t });
        }
      }
    });
    child.on('close', (code) => {
      if (this.#stopped) return;
      this.restarts++;
      this.lastExit = `exit ${String(code)}: ${err.trim().slice(0, 200)}`;
      this.present.clear();
      this.#start();
    });
  }
  stop(): void {
    this.#stopped = true;
    this.#child?.kill('SIGTERM');
  }
}

async function sample(p: Pair, i: number): Promise<number | undefined> {
  // A fresh monitor per sample: a long-lived `nft monitor` was seen to go silent after about a minute
  // (still running, no more events) while the ipcache kept changing.
  const mon = new IpcacheMonitor(p.c2);
  await sleep(150);
  try {
    return await measureOne(p, mon, i);
  } finally {
    restarts[p.mode] += mon.restarts;
    mon.stop();
  }
}

const restarts = { kubernetes: 0, standalone: 0 };

async function measureOne(p: Pair, mon: IpcacheMonitor, i: number): Promise<number | undefined> {
  const name = `prop-${i}`;
  const file = path.join(home, `${p.mode}-${name}.yaml`);
  writeFileSync(file, manifest(name));
  const from = mon.added.length;
  const t0 = performance.now();
  if (p.mode === 'kubernetes') await run('kubectl', ['--context', p.c1, 'apply', '-f', file]);
  else await weftOk(['--context', p.c1, 'apply', '-f', file], env);
  const deadline = Date.now() + 30_000;
  let seen: { ip: string; t: number } | undefined;
  while (seen === undefined && Date.now() < deadline) {
    seen = mon.added.slice(from).find((a) => a.ip.startsWith(p.c1Prefix) && a.t >= t0);
    if (seen === undefined) await sleep(2);
  }
  // Remove the sample and wait until its IP has left c2's ipcache (an IP may be reused by the next pod).
  if (p.mode === 'kubernetes') await run('kubectl', ['--context', p.c1, 'delete', '-f', file, '--wait=true']);
  else await weftOk(['--context', p.c1, 'delete', '-f', file], env);
  const gone = Date.now() + 10_000;
  while (seen !== undefined && mon.present.has(seen.ip) && Date.now() < gone) await sleep(20);
  return seen === undefined ? undefined : seen.t - t0;
}

let exitCode = 0;
try {
  await setup();
  const kube: number[] = [];
  const standalone: number[] = [];
  {
    for (let i = 0; i < COUNT; i++) {
      const k = await sample(KUBE, i);
      if (k !== undefined) kube.push(k);
      const s = await sample(STANDALONE, i);
      if (s !== undefined) standalone.push(s);
      if (RAW_LOG !== undefined) appendFileSync(RAW_LOG, `-- sample ${i + 1} done ${performance.now().toFixed(1)}\n`);
      process.stderr.write(`sample ${i + 1}/${COUNT}: kubernetes ${k?.toFixed(0) ?? 'missed'} ms, standalone ${s?.toFixed(0) ?? 'missed'} ms\n`);
    }
  }
  const k = summary(kube);
  const s = summary(standalone);
  process.stdout.write(
    `${JSON.stringify({
      bench: 'kubePropagation',
      samples: COUNT,
      missed: { kubernetes: COUNT - kube.length, standalone: COUNT - standalone.length },
      kubectlApplyToRemoteIpcacheMs: k,
      baselineWeftApplyToRemoteIpcacheMs: s,
      ratio: { p50: round2(k.p50 / s.p50), p99: round2(k.p99 / s.p99) },
      nftMonitorRestarts: restarts,
    })}\n`,
  );
} catch (err) {
  process.stderr.write(`kubePropagation bench failed: ${String(err)}\n`);
  exitCode = 1;
} finally {
  for (const l of LABS) await weft(['lab', 'down', '--name', l.name], env);
  rmSync(home, { recursive: true, force: true });
}
process.exitCode = exitCode;
