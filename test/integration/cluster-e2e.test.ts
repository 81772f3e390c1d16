/**
 * Issue 2 end to end, for real: a one-cluster, two-node lab in each routing
 * mode; echo pods on both nodes; curl across nodes; an agent restart during a
 * live connection; scaling and deleting pods; teardown leaving nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exec } from '../../src/util/exec.ts';
import { NODE_BIN, PROJECT_ROOT } from '../../src/util/paths.ts';
import { ECHO_DAEMONSET, netnsWithPrefix, pidRunning } from '../support/fixtures.ts';
import { getPods, runningPods, waitFor, weft, weftOk } from '../support/weft.ts';

const deployment = (replicas: number): string => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - { name: web, image: nginx, ports: [{ containerPort: 80 }] }
`;

async function curlFrom(ctx: string, env: NodeJS.ProcessEnv, pod: string, url: string): Promise<string> {
  return weftOk(['--context', ctx, 'exec', pod, '--', 'curl', '-sS', '--max-time', '5', url], env);
}

for (const routing of ['native', 'tunnel'] as const) {
  describe(`one cluster, two nodes, ${routing} routing`, { concurrency: false }, () => {
    const name = `it-${routing}`;
    const home = mkdtempSync(path.join(tmpdir(), `weft-it-${routing}-`));
    const env = { ...process.env, WEFT_HOME: home };

    before(async () => {
      await weftOk(
        ['lab', 'up', '--name', name, '--id', routing === 'native' ? '201' : '202', '--nodes', '2', '--pod-cidr', routing === 'native' ? '10.201.0.0/16' : '10.202.0.0/16',
          '--service-cidr', routing === 'native' ? '10.211.0.0/16' : '10.212.0.0/16', '--routing', routing],
        env,
      );
    });

    after(async () => {
      const down = await weft(['lab', 'down', '--name', name], env);
      rmSync(home, { recursive: true, force: true });
      assert.equal(down.code, 0, down.stderr);
    });

    test('nodes registered with distinct PodCIDRs', async () => {
      const nodes = JSON.parse(await weftOk(['--context', name, 'node', 'list', '-o', 'json'], env)) as { name: string; podCIDR: string; ready: boolean }[];
      assert.equal(nodes.length, 2);
      assert.ok(nodes.every((n) => n.ready && n.podCIDR !== ''));
      assert.notEqual(nodes[0]?.podCIDR, nodes[1]?.podCIDR);
      const text = await weftOk(['--context', name, 'node', 'list'], env);
      assert.match(text, new RegExp(`${name}/n1`));
    });

    test('a pod on one node reaches a pod on the other by IP', async () => {
      await weftOk(['--context', name, 'apply', '-f', '-'], env, ECHO_DAEMONSET);
      const pods = await runningPods(name, env, 'run=echo-1', 2);
      const [a, b] = pods;
      assert.ok(a && b && a.spec.nodeName !== b.spec.nodeName, 'one echo pod per node');
      const body = await curlFrom(name, env, a.metadata.name, `http://${b.status?.podIP}:8080/`);
      assert.match(body, new RegExp(`^Request served by ${b.metadata.name}`));
      assert.match(body, new RegExp(`Cluster: ${name}`));
      const back = await curlFrom(name, env, b.metadata.name, `http://${a.status?.podIP}:8080/`);
      assert.match(back, new RegExp(`^Request served by ${a.metadata.name}`));
    });

    test("every node's IP→endpoint table (nft ipcache) holds every pod", async () => {
      const pods = await runningPods(name, env, 'run=echo-1', 2);
      for (const host of ['n1', 'n2']) {
        const ips = await waitFor(`ipcache on ${host}`, async () => {
          const json = await exec('ip', ['netns', 'exec', `wf-${name}_${host}`, 'nft', '-j', 'list', 'map', 'inet', 'weft', 'ipcache']);
          return pods.every((p) => json.includes(`"${p.status?.podIP}"`)) ? json : undefined;
        }, 10_000);
        assert.ok(ips);
      }
    });

    test('restarting the agents keeps an established connection and the datapath', async () => {
      const pods = await runningPods(name, env, 'run=echo-1', 2);
      const [a, b] = pods;
      assert.ok(a?.status && b?.status);
      const client = exec('ip', ['netns', 'exec', a.status.netns, NODE_BIN, '--no-warnings=ExperimentalWarning', path.join(PROJECT_ROOT, 'test/support/keepaliveClient.ts'), b.status.podIP, '8080', '6000', '100'], { timeoutMs: 30_000 });
      await new Promise((r) => setTimeout(r, 1000));
      await weftOk(['lab', 'process', 'restart', '--name', name, '--host', 'n1', '--process', 'agent'], env);
      await weftOk(['lab', 'process', 'restart', '--name', name, '--host', 'n2', '--process', 'agent'], env);
      const summary = JSON.parse(await client) as { sent: number; received: number; closed: boolean; error: string };
      assert.equal(summary.closed, false, `connection closed: ${summary.error}`);
      assert.ok(summary.sent > 20, `sent ${summary.sent}`);
      assert.equal(summary.received, summary.sent, 'every request on the one connection was answered');
      const after = await runningPods(name, env, 'run=echo-1', 2);
      assert.deepEqual(after.map((p) => p.status?.podIP).sort(), pods.map((p) => p.status?.podIP).sort(), 'pods were adopted, not recreated');
      assert.ok(after.every((p) => p.status?.restarts === 0));
      const body = await curlFrom(name, env, a.metadata.name, `http://${b.status.podIP}:8080/`);
      assert.match(body, new RegExp(`^Request served by ${b.metadata.name}`));
    });

    if (routing === 'native') {
      test('scaling a Deployment up and down; deleted pods free their netns and IP', async () => {
        await weftOk(['--context', name, 'apply', '-f', '-'], env, deployment(4));
        const four = await runningPods(name, env, 'app=web', 4);
        assert.equal(new Set(four.map((p) => p.status?.podIP)).size, 4, 'distinct IPs');
        await weftOk(['--context', name, 'apply', '-f', '-'], env, deployment(1));
        const one = await runningPods(name, env, 'app=web', 1);
        const gone = four.filter((p) => p.metadata.name !== one[0]?.metadata.name);
        await waitFor('scaled-down pods removed from the machine', async () => {
          const present = await netnsWithPrefix(`wf-${name}_`);
          return gone.every((p) => !present.includes(p.status?.netns ?? '')) ? true : undefined;
        });
        const survivor = one[0];
        assert.ok(survivor?.status);
        await weftOk(['--context', name, 'delete', 'deployment', 'web'], env);
        await waitFor('deployment pods gone', async () => ((await getPods(name, env, ['-l', 'app=web'])).length === 0 ? true : undefined));
        await waitFor('last web pod netns removed', async () => ((await netnsWithPrefix(survivor.status?.netns ?? 'none')).length === 0 ? true : undefined));
        // IPs are released: no IPAM file on any node still holds a web pod's IP.
        const labDir = path.join(home, 'lab', name);
        const ipamFiles = readdirSync(labDir).map((h) => path.join(labDir, h, 'ipam.json')).filter((f) => existsSync(f));
        const held = ipamFiles.map((f) => readFileSync(f, 'utf8')).join('\n');
        for (const p of four) assert.ok(!held.includes(`"${p.status?.podIP}"`), `IP ${p.status?.podIP} still allocated`);
      });

      test('bad manifests apply nothing and say why', async () => {
        const bad = `${deployment(1)}\n---\napiVersion: v1\nkind: Frobnicator\nmetadata: { name: x }\n`;
        const r = await weft(['--context', name, 'apply', '-f', '-'], env, bad);
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, /document 2/);
        assert.match(r.stderr, /Frobnicator/);
        assert.equal((await getPods(name, env, ['-l', 'app=web'])).length, 0);
      });
    }

    test('lab down removes everything', async () => {
      const procs = JSON.parse(await weftOk(['lab', 'status', '--output', 'json'], env)) as { clusters: { name: string; hosts: { processes: { pid: number | null }[] }[] }[] };
      const pids = procs.clusters.find((c) => c.name === name)?.hosts.flatMap((h) => h.processes.map((p) => p.pid)) ?? [];
      const pods = await getPods(name, env);
      const podPids = pods.flatMap((p) => (p.status as { pids?: number[] } | null)?.pids ?? []);
      await weftOk(['lab', 'down', '--name', name], env);
      assert.deepEqual(await netnsWithPrefix(`wf-${name}_`), []);
      for (const pid of [...pids, ...podPids]) if (pid !== null) assert.ok(!pidRunning(pid), `process ${pid} still running`);
      assert.ok(!existsSync(path.join(home, 'lab', name)));
    });
  });
}
