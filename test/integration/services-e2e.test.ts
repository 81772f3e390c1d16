/**
 * Issue 4 end to end on two meshed lab clusters: DNS (cluster.local,
 * clusterset.local), affinity with failover and back, shared=false, a UDP
 * service, a service without backends refusing at once, and a deleted service
 * leaving no nft state. Seed 000's global echo-1 answered from both clusters,
 * the remote ClusterIP not answering, and seed 002's rebel-base are checked by
 * the walkthroughs (walkthroughs.test.ts runs docs/seed-000.md, seed-002.md).
 */
import { ECHO_DAEMONSET } from '../support/fixtures.ts';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { exec } from '../../src/util/exec.ts';
import { NODE_BIN, PROJECT_ROOT } from '../../src/util/paths.ts';
import { runningPods, waitFor, weft, weftOk } from '../support/weft.ts';
import { upMeshedPair } from '../support/meshLab.ts';
import type { PodJson } from '../support/weft.ts';

const echo = (annotations: Record<string, string>): string => `${ECHO_DAEMONSET}
---
apiVersion: v1
kind: Service
metadata:
  name: echo-1
  annotations: ${JSON.stringify(annotations)}
  labels: { run: echo-1 }
spec:
  ports: [{ port: 80, targetPort: 8080, protocol: TCP }]
  type: ClusterIP
  selector: { run: echo-1 }
`;

const SERVICE_ONLY = (annotations: Record<string, string>): string => echo(annotations).split('---')[1] ?? '';

const UDP = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: udp-echo }
spec:
  replicas: 1
  selector: { matchLabels: { app: udp-echo } }
  template:
    metadata: { labels: { app: udp-echo } }
    spec:
      containers:
        - { name: udp, image: echo, ports: [{ containerPort: 5353, protocol: UDP, name: dgram }] }
---
apiVersion: v1
kind: Service
metadata: { name: udp-echo }
spec:
  ports: [{ port: 53, targetPort: dgram, protocol: UDP }]
  selector: { app: udp-echo }
---
apiVersion: v1
kind: Service
metadata: { name: nobody }
spec:
  ports: [{ port: 80, targetPort: 8080 }]
  selector: { app: nobody-has-this-label }
`;

interface SvcJson {
  metadata: { name: string };
  clusterIP?: string;
  spec: { clusterIP?: string };
}

describe('services and global services across two clusters', { concurrency: false }, () => {
  const home = mkdtempSync(path.join(tmpdir(), 'weft-it-svc-'));
  const env = { ...process.env, WEFT_HOME: home };
  const S1 = 'svc-a';
  const S2 = 'svc-b';
  let client: PodJson;

  async function clusterIp(ctx: string, name: string): Promise<string> {
    const out = await weftOk(['--context', ctx, 'get', 'services', name, '-o', 'wide'], env);
    const m = /(\d+\.\d+\.\d+\.\d+)/.exec(out.split('\n')[1] ?? '');
    assert.ok(m?.[1], `no ClusterIP for ${name} in ${ctx}: ${out}`);
    return m[1];
  }

  /** `n` requests from one pod (one exec, a shell loop): how many each cluster answered, failures under "error". */
  async function clustersAnswering(ctx: string, pod: string, url: string, n: number): Promise<Map<string, number>> {
    const loop = `for i in $(seq ${n}); do curl -sS --max-time 3 ${url} || true; echo; done`;
    const r = await weft(['--context', ctx, 'exec', pod, '--', 'sh', '-c', loop], env);
    const counts = new Map<string, number>();
    for (const m of r.stdout.matchAll(/Cluster: (\S+)/g)) counts.set(m[1] ?? '', (counts.get(m[1] ?? '') ?? 0) + 1);
    const answered = [...counts.values()].reduce((a, b) => a + b, 0);
    if (answered < n) counts.set('error', n - answered);
    return counts;
  }

  before(async () => {
    await upMeshedPair(
      env,
      { name: S1, id: 251, nodes: 2, podCidr: '10.251.0.0/16', serviceCidr: '10.151.0.0/16' },
      { name: S2, id: 252, nodes: 1, podCidr: '10.252.0.0/16', serviceCidr: '10.152.0.0/16' },
    );
    for (const c of [S1, S2]) await weftOk(['--context', c, 'apply', '-f', '-'], env, echo({ 'service.cilium.io/global': 'true' }));
    await runningPods(S1, env, 'run=echo-1', 2);
    [client] = (await runningPods(S2, env, 'run=echo-1', 1)) as [PodJson];
  });

  after(async () => {
    const down = await weft(['lab', 'down'], env);
    rmSync(home, { recursive: true, force: true });
    assert.equal(down.code, 0, down.stderr);
  });

  test('DNS: cluster.local and clusterset.local names resolve to the local ClusterIP', async () => {
    const ip = await clusterIp(S2, 'echo-1');
    for (const name of ['echo-1', 'echo-1.default', 'echo-1.default.svc.cluster.local', 'echo-1.default.svc.clusterset.local']) {
      const out = await weftOk(['--context', S2, 'exec', client.metadata.name, '--', 'getent', 'hosts', name], env);
      assert.match(out, new RegExp(`^${ip.replace(/\./g, '\\.')}\\s`), `${name} → ${out}`);
    }
    const t0 = performance.now();
    const r = await weft(['--context', S2, 'exec', client.metadata.name, '--', 'getent', 'hosts', 'no-such-service'], env);
    assert.notEqual(r.code, 0);
    assert.ok(performance.now() - t0 < 3000, 'unknown names fail fast');
  });

  test('affinity local: only local backends, failover to the remote cluster when none is ready, and back', async () => {
    await weftOk(['--context', S2, 'apply', '-f', '-'], env, SERVICE_ONLY({ 'service.cilium.io/global': 'true', 'service.cilium.io/affinity': 'local' }));
    await waitFor('only local answers', async () => {
      const c = await clustersAnswering(S2, client.metadata.name, 'http://echo-1/', 12);
      return c.get(S2) === 12 ? c : undefined;
    }, 30_000, 500);
    // Failover: the client in S1 with affinity local there too, its local backends deleted.
    const [s1pod] = await runningPods(S1, env, 'run=echo-1', 2);
    assert.ok(s1pod);
    await weftOk(['--context', S1, 'apply', '-f', '-'], env, echo({ 'service.cilium.io/global': 'true', 'service.cilium.io/affinity': 'local' }));
    await weftOk(['--context', S2, 'delete', 'daemonset', 'echo-1'], env);
    const udp = await weftOk(['--context', S2, 'apply', '-f', '-'], env, UDP);
    assert.match(udp, /udp-echo/);
    const [s2client] = await runningPods(S2, env, 'app=udp-echo', 1);
    assert.ok(s2client);
    client = s2client;
    await waitFor('failover to the remote cluster', async () => {
      const c = await clustersAnswering(S2, client.metadata.name, 'http://echo-1/', 8);
      return c.get(S1) === 8 ? c : undefined;
    }, 30_000, 500);
    await weftOk(['--context', S2, 'apply', '-f', '-'], env, echo({ 'service.cilium.io/global': 'true', 'service.cilium.io/affinity': 'local' }));
    await runningPods(S2, env, 'run=echo-1', 1);
    await waitFor('back to the local backend', async () => {
      const c = await clustersAnswering(S2, client.metadata.name, 'http://echo-1/', 8);
      return c.get(S2) === 8 ? c : undefined;
    }, 30_000, 500);
  });

  test('shared=false: a cluster keeps using remote backends but exports none', async () => {
    await weftOk(['--context', S2, 'apply', '-f', '-'], env, SERVICE_ONLY({ 'service.cilium.io/global': 'true', 'service.cilium.io/shared': 'false' }));
    await weftOk(['--context', S1, 'apply', '-f', '-'], env, SERVICE_ONLY({ 'service.cilium.io/global': 'true' }));
    const [s1client] = await runningPods(S1, env, 'run=echo-1', 2);
    assert.ok(s1client);
    await waitFor('S1 uses only its own backends', async () => {
      const c = await clustersAnswering(S1, s1client.metadata.name, 'http://echo-1/', 12);
      return c.get(S1) === 12 ? c : undefined;
    }, 30_000, 500);
    await waitFor('S2 still uses both', async () => {
      const c = await clustersAnswering(S2, client.metadata.name, 'http://echo-1/', 30);
      return (c.get(S1) ?? 0) > 0 && (c.get(S2) ?? 0) > 0 ? c : undefined;
    }, 30_000, 500);
  });

  test('a UDP service answers; a service without backends refuses at once', async () => {
    const out = await waitFor('UDP reply through the service', async () => {
      const r = await weft(['--context', S2, 'exec', client.metadata.name, '--', NODE_BIN, '--no-warnings=ExperimentalWarning', path.join(PROJECT_ROOT, 'test/support/udpClient.ts'), await clusterIp(S2, 'udp-echo'), '53', 'hello'], env);
      return r.code === 0 ? r.stdout : undefined;
    }, 20_000, 500);
    assert.match(out, /served by udp-echo-/);
    assert.match(out, /hello/);
    const ip = await clusterIp(S2, 'nobody');
    const t0 = performance.now();
    const r = await weft(['--context', S2, 'exec', client.metadata.name, '--', 'curl', '-sS', '--max-time', '5', `http://${ip}/`], env);
    const ms = performance.now() - t0;
    assert.notEqual(r.code, 0);
    assert.match(r.stderr + r.stdout, /refused|reset|couldn't connect/i, 'rejected at once (TCP reset → ECONNREFUSED)');
    assert.ok(ms < 2000, `refused after ${Math.round(ms)} ms`);
  });

  test('deleting a service removes all of its nft state', async () => {
    const ip = await clusterIp(S2, 'udp-echo');
    await weftOk(['--context', S2, 'delete', 'service', 'udp-echo'], env);
    await waitFor('no nft state for the deleted service', async () => {
      const table = await exec('ip', ['netns', 'exec', `wf-${S2}_n1`, 'nft', 'list', 'table', 'inet', 'weft']);
      return table.includes(ip) ? undefined : true;
    }, 20_000);
    const svcs = JSON.parse(await weftOk(['--context', S2, 'get', 'services', '-o', 'json'], env)) as SvcJson[];
    assert.ok(!svcs.some((s) => s.metadata.name === 'udp-echo'));
  });
});
