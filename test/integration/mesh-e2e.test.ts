/**
 * Issue 3 end to end: three lab clusters enabled with one CA and connected
 * pairwise (seed 000's `clustermesh connect`), status shaped like the seed,
 * pod-to-pod across clusters, failure and resync, disconnect. The two-cluster
 * tunnel-mode mesh (a second CA refused with nothing changed, pod-to-pod over
 * VXLAN) is checked by the walkthroughs (docs/seed-002.md, seed-000.md).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exec } from '../../src/util/exec.ts';
import { ECHO_DAEMONSET } from '../support/fixtures.ts';
import { runningPods, waitFor, weft, weftOk } from '../support/weft.ts';
import type { PodJson } from '../support/weft.ts';

interface Cluster {
  name: string;
  id: number;
  nodes: number;
}

async function labUp(c: Cluster, routing: string, env: NodeJS.ProcessEnv): Promise<void> {
  const o = c.id - 200;
  await weftOk(['lab', 'up', '--name', c.name, '--id', String(c.id), '--nodes', String(c.nodes), '--pod-cidr', `10.${100 + o}.0.0/16`, '--service-cidr', `10.${150 + o}.0.0/16`, '--routing', routing], env);
}

async function curl(ctx: string, env: NodeJS.ProcessEnv, pod: string, ip: string): Promise<string> {
  return weftOk(['--context', ctx, 'exec', pod, '--', 'curl', '-sS', '--max-time', '5', `http://${ip}:8080/`], env);
}

async function ipcacheOf(netns: string): Promise<string> {
  return exec('ip', ['netns', 'exec', netns, 'nft', '-j', 'list', 'map', 'inet', 'weft', 'ipcache']);
}

describe('three clusters in one mesh (native routing)', { concurrency: false }, () => {
  const home = mkdtempSync(path.join(tmpdir(), 'weft-it-mesh-'));
  const env = { ...process.env, WEFT_HOME: home };
  const m1: Cluster = { name: 'mesh-a', id: 221, nodes: 2 };
  const m2: Cluster = { name: 'mesh-b', id: 222, nodes: 1 };
  const m3: Cluster = { name: 'mesh-c', id: 223, nodes: 1 };
  const pods = new Map<string, PodJson[]>();

  before(async () => {
    for (const c of [m1, m2, m3]) await labUp(c, 'native', env);
    await weftOk(['clustermesh', 'enable', '--context', m1.name, '--create-ca'], env);
    await weftOk(['clustermesh', 'enable', '--context', m2.name, '--inherit-ca', m1.name], env);
    await weftOk(['clustermesh', 'enable', '--context', m3.name, '--inherit-ca', m1.name], env);
    for (const c of [m1, m2, m3]) {
      await weftOk(['--context', c.name, 'apply', '-f', '-'], env, ECHO_DAEMONSET);
      pods.set(c.name, await runningPods(c.name, env, 'run=echo-1', c.nodes));
    }
  });

  after(async () => {
    const down = await weft(['lab', 'down'], env);
    rmSync(home, { recursive: true, force: true });
    assert.equal(down.code, 0, down.stderr);
  });

  test('connect validates first: a cluster cannot connect to itself; nothing changes', async () => {
    const r = await weft(['clustermesh', 'connect', '--context', m1.name, '--destination-context', m1.name], env);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /source context itself/);
  });

  test('connect links both directions; status shows every node connected to all clusters', async () => {
    await weftOk(['clustermesh', 'connect', '--context', m1.name, '--destination-context', m2.name], env);
    await weftOk(['clustermesh', 'connect', '--context', m1.name, '--destination-context', m3.name], env);
    await weftOk(['clustermesh', 'connect', '--context', m2.name, '--destination-context', m3.name], env);
    const out = await weftOk(['clustermesh', 'status', '--context', m1.name, '--wait', '--wait-duration', '60s'], env);
    assert.match(out, /✅ Cluster access information is available:/);
    assert.match(out, /✅ All 2 nodes are connected to all clusters \[min:2 \/ avg:2\.0 \/ max:2\]/);
    assert.match(out, /- mesh-b: 2\/2 configured, 2\/2 connected/);
    assert.match(out, /- mesh-c: 2\/2 configured, 2\/2 connected/);
    const json = JSON.parse(await weftOk(['clustermesh', 'status', '--context', m3.name, '--wait', '--output', 'json'], env)) as { ok: boolean; connections: { name: string }[] };
    assert.equal(json.ok, true);
    assert.deepEqual(json.connections.map((c) => c.name), ['mesh-a', 'mesh-b']);
  });

  test('node list shows the nodes of every connected cluster as cluster/node', async () => {
    const out = await weftOk(['--context', m1.name, 'node', 'list'], env);
    for (const n of ['mesh-a/n1', 'mesh-a/n2', 'mesh-b/n1', 'mesh-c/n1']) assert.match(out, new RegExp(n));
  });

  test('status --verbose has a ClusterMesh section per remote', async () => {
    const out = await weftOk(['--context', m1.name, 'status', '--verbose'], env);
    assert.match(out, /ClusterMesh:\s+2\/2 clusters ready/);
    assert.match(out, /mesh-b: ready, 1 nodes, 1 endpoints/);
    assert.match(out, /└ {2}etcd: 1\/1 connected/);
  });

  test('pods reach pods of the other clusters by IP (seed 000 §2.1)', async () => {
    const [a] = pods.get(m1.name) ?? [];
    const [b] = pods.get(m2.name) ?? [];
    const [c] = pods.get(m3.name) ?? [];
    assert.ok(a?.status && b?.status && c?.status);
    assert.match(await curl(m1.name, env, a.metadata.name, b.status.podIP), new RegExp(`^Request served by ${b.metadata.name}[\\s\\S]*Cluster: mesh-b`));
    assert.match(await curl(m1.name, env, a.metadata.name, c.status.podIP), new RegExp(`Cluster: mesh-c`));
    assert.match(await curl(m3.name, env, c.metadata.name, a.status.podIP), new RegExp(`Cluster: mesh-a`));
    assert.match(await curl(m2.name, env, b.metadata.name, c.status.podIP), new RegExp(`Cluster: mesh-c`));
    assert.match(await ipcacheOf(`wf-${m1.name}_n1`), new RegExp(`"${c.status.podIP.replace(/\./g, '\\.')}"`), 'remote endpoint in the ipcache');
  });

  test("a remote's etcd down: local and cross-cluster traffic keep working, status shows the failure, then recovers", async () => {
    const [a, a2] = pods.get(m1.name) ?? [];
    const [b] = pods.get(m2.name) ?? [];
    assert.ok(a?.status && a2?.status && b?.status);
    await weftOk(['lab', 'process', 'stop', '--name', m2.name, '--host', 'cp', '--process', 'etcd'], env);
    try {
      const failing = await waitFor('status reports mesh-b down', async () => {
        const r = await weft(['clustermesh', 'status', '--context', m1.name], env);
        return r.code !== 0 && /mesh-b: not connected/.test(r.stdout) ? r.stdout : undefined;
      }, 60_000);
      assert.match(failing, /hint:/);
      assert.match(await curl(m1.name, env, a.metadata.name, a2.status.podIP), /Cluster: mesh-a/);
      assert.match(await curl(m1.name, env, a.metadata.name, b.status.podIP), /Cluster: mesh-b/);
      const verbose = await weftOk(['--context', m1.name, 'status', '--verbose'], env);
      assert.match(verbose, /mesh-b: not-ready, 1 nodes, 1 endpoints.*[1-9]\d* failures \(last: /);
    } finally {
      await weftOk(['lab', 'process', 'start', '--name', m2.name, '--host', 'cp', '--process', 'etcd'], env);
    }
    await weftOk(['clustermesh', 'status', '--context', m1.name, '--wait', '--wait-duration', '90s'], env);
  });

  test("restarting the operator keeps the cache and resyncs what changed meanwhile", async () => {
    const [c] = pods.get(m3.name) ?? [];
    const [b] = pods.get(m2.name) ?? [];
    assert.ok(c?.status && b?.status);
    await weftOk(['lab', 'process', 'stop', '--name', m1.name, '--host', 'cp', '--process', 'operator'], env);
    try {
      await weftOk(['--context', m3.name, 'delete', 'daemonset', 'echo-1'], env);
      await waitFor('mesh-c pod gone in mesh-c', async () => ((await weft(['--context', m3.name, 'get', 'pods', '-o', 'json'], env)).stdout.includes(c.metadata.name) ? undefined : true));
      // The operator is down: mesh-a's cache is not wiped, its nodes still know mesh-b.
      assert.match(await ipcacheOf(`wf-${m1.name}_n1`), new RegExp(`"${b.status.podIP.replace(/\./g, '\\.')}"`));
    } finally {
      await weftOk(['lab', 'process', 'start', '--name', m1.name, '--host', 'cp', '--process', 'operator'], env);
    }
    await waitFor('the deleted mesh-c endpoint leaves mesh-a nodes', async () => ((await ipcacheOf(`wf-${m1.name}_n1`)).includes(`"${c.status?.podIP}"`) ? undefined : true), 60_000);
    assert.match(await ipcacheOf(`wf-${m1.name}_n1`), new RegExp(`"${b.status.podIP.replace(/\./g, '\\.')}"`), 'mesh-b entries kept');
  });

  test('disconnect removes the remote from the cache, node list and datapath', async () => {
    const [b] = pods.get(m2.name) ?? [];
    assert.ok(b?.status);
    await weftOk(['clustermesh', 'disconnect', '--context', m1.name, '--destination-context', m2.name], env);
    await waitFor('mesh-b gone from mesh-a nodes', async () => ((await ipcacheOf(`wf-${m1.name}_n1`)).includes(`"${b.status?.podIP}"`) ? undefined : true), 30_000);
    const nodes = await weftOk(['--context', m1.name, 'node', 'list'], env);
    assert.doesNotMatch(nodes, /mesh-b\/n1/);
    const routes = await exec('ip', ['-n', `wf-${m1.name}_n1`, 'route', 'show']);
    assert.doesNotMatch(routes, /10\.122\.0\.0\/24/);
    const status = await weftOk(['clustermesh', 'status', '--context', m1.name, '--wait', '--wait-duration', '30s'], env);
    assert.doesNotMatch(status, /mesh-b/);
  });
});
