/**
 * Seed 002's demo apps, unchanged, in a one-node lab: rebel-base (nginx
 * serving a ConfigMap's index.html) answers with its cluster's message on
 * port 80; x-wing (json-mock) answers HTTP on 80. ConfigMap edits reach the
 * pods; a missing ConfigMap keeps a pod ContainerCreating until it is applied;
 * volumes go with their pods and lab down leaves nothing.
 */
import { netnsWithPrefix, pidRunning } from '../support/fixtures.ts';
import { seed002Apps, seed002Message } from '../support/seed002.ts';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { getPods, runningPods, waitFor, weft, weftOk } from '../support/weft.ts';

const NAME = 'it-cm';

const SEED_002 = seed002Apps(NAME);

const MESSAGE = seed002Message(NAME);

const configMap = (name: string, message: string): string => `
apiVersion: v1
kind: ConfigMap
metadata: { name: ${name} }
data:
  message: ${JSON.stringify(message)}
`;

/** A Deployment mounting a ConfigMap that does not exist yet. */
const LATE = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: late }
spec:
  selector: { matchLabels: { app: late } }
  template:
    metadata: { labels: { app: late } }
    spec:
      containers:
        - name: web
          image: nginx
          volumeMounts: [{ name: html, mountPath: /usr/share/nginx/html }]
      volumes:
        - name: html
          configMap: { name: late-response, items: [{ key: message, path: index.html }] }
`;

describe('seed 002: rebel-base serves its ConfigMap, x-wing answers on 80', { concurrency: false }, () => {
  const home = mkdtempSync(path.join(tmpdir(), 'weft-it-cm-'));
  const env = { ...process.env, WEFT_HOME: home };
  const podsDir = path.join(home, 'lab', NAME, 'n1', 'pods');
  const curl = (pod: string, url: string): Promise<string> => weftOk(['--context', NAME, 'exec', pod, '--', 'curl', '-s', '--max-time', '5', url], env);

  before(async () => {
    await weftOk(['lab', 'up', '--name', NAME, '--id', '215', '--nodes', '1', '--pod-cidr', '10.215.0.0/16', '--service-cidr', '10.216.0.0/16', '--routing', 'native'], env);
  });

  after(async () => {
    const down = await weft(['lab', 'down', '--name', NAME], env);
    rmSync(home, { recursive: true, force: true });
    assert.equal(down.code, 0, down.stderr);
  });

  test("curl to a rebel-base pod IP returns exactly the ConfigMap's message", async () => {
    await weftOk(['--context', NAME, 'apply', '-f', '-'], env, SEED_002);
    const rebels = await runningPods(NAME, env, 'name=rebel-base', 2);
    const xwings = await runningPods(NAME, env, 'name=x-wing', 2);
    const [r1, r2] = rebels;
    const [x1] = xwings;
    assert.ok(r1?.status && r2?.status && x1?.status);
    for (const r of rebels) assert.equal(await curl(x1.metadata.name, `http://${r.status?.podIP}/`), MESSAGE);
    assert.equal(await curl(r1.metadata.name, `http://${r2.status.podIP}/`), MESSAGE, 'rebel-base to rebel-base, as the seed does');
    // The volume is on the node where the brief says; json-mock answers HTTP on 80.
    assert.equal(readFileSync(path.join(podsDir, `default_${r1.metadata.name}.volumes`, 'html', 'index.html'), 'utf8'), MESSAGE);
    assert.match(await curl(r1.metadata.name, `http://${x1.status.podIP}/`), new RegExp(`^Request served by ${x1.metadata.name}`));
    const cms = await weftOk(['--context', NAME, 'get', 'cm'], env);
    assert.match(cms, /^NAME\s+DATA\s+AGE\n/);
    assert.match(cms, /\nrebel-base-response\s+1\s+\S+\n/);
  });

  test('editing the ConfigMap changes what rebel-base serves', async () => {
    const edited = MESSAGE.replace('Alderaan', 'Hoth');
    await weftOk(['--context', NAME, 'apply', '-f', '-'], env, configMap('rebel-base-response', edited));
    const [r1] = await runningPods(NAME, env, 'name=rebel-base', 2);
    const [x1] = await runningPods(NAME, env, 'name=x-wing', 2);
    assert.ok(r1?.status && x1);
    await waitFor('the edited message served', async () => ((await curl(x1.metadata.name, `http://${r1.status?.podIP}/`)) === edited ? true : undefined), 30_000, 500);
    const again = await runningPods(NAME, env, 'name=rebel-base', 2);
    assert.equal(again.find((p) => p.metadata.name === r1.metadata.name)?.status?.podIP, r1.status.podIP, 'the pod kept running');
  });

  test('a pod whose ConfigMap is missing waits in ContainerCreating, then runs once it is applied', async () => {
    await weftOk(['--context', NAME, 'apply', '-f', '-'], env, LATE);
    const waiting = await waitFor('the late pod waiting for its ConfigMap', async () => {
      const [p] = await getPods(NAME, env, ['-l', 'app=late']);
      const s = p?.status as { phase: string; message?: string } | null | undefined;
      return s?.phase === 'ContainerCreating' && (s.message ?? '') !== '' ? { name: p?.metadata.name ?? '', message: s.message ?? '' } : undefined;
    });
    assert.equal(waiting.message, 'MountVolume.SetUp failed for volume "html": configmap "late-response" not found in namespace "default"');
    const table = await weftOk(['--context', NAME, 'get', 'pods', '-l', 'app=late'], env);
    assert.match(table, /ContainerCreating/);
    await weftOk(['--context', NAME, 'apply', '-f', '-'], env, configMap('late-response', 'finally\n'));
    const [late] = await runningPods(NAME, env, 'app=late', 1);
    const [x1] = await runningPods(NAME, env, 'name=x-wing', 2);
    assert.ok(late?.status && x1);
    assert.equal(await curl(x1.metadata.name, `http://${late.status.podIP}/`), 'finally\n');
  });

  test("deleting a workload removes its pods' volumes", async () => {
    const before = readdirSync(podsDir).filter((f) => f.endsWith('.volumes'));
    assert.equal(before.length, 3, `volumes of 2 rebel-base pods and 1 late pod (x-wing has none): ${before.join(', ')}`);
    await weftOk(['--context', NAME, 'delete', 'deployment', 'late'], env);
    await waitFor('late pods gone', async () => ((await getPods(NAME, env, ['-l', 'app=late'])).length === 0 ? true : undefined));
    await waitFor('late volumes removed', () => Promise.resolve(readdirSync(podsDir).filter((f) => f.endsWith('.volumes')).length === 2 ? true : undefined), 20_000);
  });

  test('lab down leaves nothing', async () => {
    const pods = await getPods(NAME, env);
    const podPids = pods.flatMap((p) => (p.status as { pids?: number[] } | null)?.pids ?? []);
    assert.ok(podPids.length >= 4);
    await weftOk(['lab', 'down', '--name', NAME], env);
    assert.deepEqual(await netnsWithPrefix(`wf-${NAME}_`), []);
    for (const pid of podPids) assert.ok(!pidRunning(pid), `pod process ${pid} still running`);
    assert.ok(!existsSync(path.join(home, 'lab', NAME)));
  });
});
