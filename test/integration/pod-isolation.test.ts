/**
 * Pods run without root's rights over the host (podSandbox.ts), in a real
 * one-node lab with ClusterMesh enabled (so the mesh CA key exists): a pod's
 * command cannot read the CA key, list WEFT_HOME, read another pod's volume,
 * signal the agent or read its environment, while its own volume is readable
 * and its port serves. `weft exec` runs with the same restrictions, and pods
 * keep running (same PIDs, same uid) across an agent restart.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LabState } from '../../src/lab/state.ts';
import { podUid } from '../../src/runtime/podSandbox.ts';
import { getPods, runningPods, waitFor, weft, weftOk } from '../support/weft.ts';

const NAME = 'it-iso';
const isRoot = process.getuid?.() === 0;

/** web: nginx stand-in on 80 serving its configMap volume; the secret pod's volume is what the thief tries to read. */
const WORKLOADS = `
apiVersion: v1
kind: ConfigMap
metadata: { name: web-html }
data: { index.html: "own volume served\\n" }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: other-secret }
data: { token: "other pod's secret\\n" }
---
apiVersion: v1
kind: Pod
metadata: { name: web, labels: { app: web } }
spec:
  containers:
    - name: web
      image: nginx
      ports: [{ containerPort: 80 }]
      volumeMounts: [{ name: html, mountPath: /usr/share/nginx/html }]
  volumes: [{ name: html, configMap: { name: web-html } }]
---
apiVersion: v1
kind: Pod
metadata: { name: other, labels: { app: other } }
spec:
  containers:
    - name: c
      image: busybox
      command: ["sleep", "infinity"]
      volumeMounts: [{ name: secret, mountPath: /etc/secret }]
  volumes: [{ name: secret, configMap: { name: other-secret } }]
`;

/** A pod that tries each attack and prints what happened, one marked line per try. */
function thief(home: string, agentPid: number): string {
  const otherVolume = path.join(home, 'lab', NAME, 'n1', 'pods', 'default_other.volumes', 'secret', 'token');
  const tries = [
    `cat ${path.join(home, 'pki', NAME, 'ca.key')}`,
    `cat /var/lib/weft/pki/${NAME}/ca.key`,
    `ls ${home}`,
    `cat ${otherVolume}`,
    `kill -0 ${agentPid}`,
    `cat /proc/${agentPid}/environ`,
    'cat /etc/mine/file',
  ];
  const script = ['id -u', ...tries.map((t) => `if ${t} >/tmp/out 2>&1; then echo "OK ${t}: $(cat /tmp/out)"; else echo "DENIED ${t}: $(cat /tmp/out)"; fi`), 'sleep infinity'].join('\n');
  return `
apiVersion: v1
kind: ConfigMap
metadata: { name: mine }
data: { file: "thief's own file" }
---
apiVersion: v1
kind: Pod
metadata: { name: thief, labels: { app: thief } }
spec:
  containers:
    - name: c
      image: busybox
      command: ["sh", "-c", ${JSON.stringify(script)}]
      volumeMounts: [{ name: mine, mountPath: /etc/mine }]
  volumes: [{ name: mine, configMap: { name: mine } }]
`;
}

describe('pods cannot read host secrets or touch Weft processes', { skip: !isRoot && 'needs root', concurrency: false }, () => {
  const home = mkdtempSync(path.join(tmpdir(), 'weft-it-iso-'));
  const env = { ...process.env, WEFT_HOME: home };
  const podLog = (pod: string): string => readFileSync(path.join(home, 'lab', NAME, 'n1', 'pods', `default_${pod}.log`), 'utf8');
  const agentPid = (): number => {
    const state = LabState.parse(JSON.parse(readFileSync(path.join(home, 'lab', 'state.json'), 'utf8')));
    const pid = state.clusters.find((c) => c.name === NAME)?.hosts.find((h) => h.name === 'n1')?.processes.find((p) => p.name === 'agent')?.pid;
    assert.ok(typeof pid === 'number', 'agent pid recorded');
    return pid;
  };
  const exec = (pod: string, script: string): Promise<string> => weftOk(['--context', NAME, 'exec', pod, '--', 'sh', '-c', script], env);

  before(async () => {
    await weftOk(['lab', 'up', '--name', NAME, '--id', '213', '--nodes', '1', '--pod-cidr', '10.213.0.0/16', '--service-cidr', '10.214.0.0/16', '--routing', 'native'], env);
    await weftOk(['clustermesh', 'enable', '--context', NAME, '--create-ca'], env);
    await weftOk(['--context', NAME, 'apply', '-f', '-'], env, WORKLOADS);
    await runningPods(NAME, env, 'app=web', 1);
    await runningPods(NAME, env, 'app=other', 1);
  });

  after(async () => {
    const down = await weft(['lab', 'down', '--name', NAME], env);
    rmSync(home, { recursive: true, force: true });
    assert.equal(down.code, 0, down.stderr);
  });

  test("a pod's command is denied the CA key, WEFT_HOME, another pod's volume and the agent; its own volume reads", async () => {
    const agent = agentPid();
    assert.match(readFileSync(path.join(home, 'pki', NAME, 'ca.key'), 'utf8'), /PRIVATE KEY/, 'the key the pod must not see exists');
    await weftOk(['--context', NAME, 'apply', '-f', '-'], env, thief(home, agent));
    await runningPods(NAME, env, 'app=thief', 1);
    const log = await waitFor('the thief to finish its tries', () => Promise.resolve(podLog('thief').includes('/etc/mine/file') ? podLog('thief') : undefined), 30_000);
    const lines = log.trim().split('\n');
    assert.equal(lines[0], String(podUid(NAME, 'default', 'thief')), 'the pod runs as its own uid');
    const line = (prefix: string): string => lines.find((l) => l.includes(prefix)) ?? assert.fail(`no line for ${prefix} in:\n${log}`);
    assert.match(line(`cat ${path.join(home, 'pki')}`), /^DENIED .*No such file or directory$/);
    assert.match(line('cat /var/lib/weft/pki'), /^DENIED .*(No such file or directory|Permission denied)$/);
    assert.match(line(`ls ${home}`), /^DENIED .*No such file or directory$/);
    assert.match(line('default_other.volumes'), /^DENIED .*No such file or directory$/);
    assert.match(line(`kill -0 ${agent}`), /^DENIED .*Operation not permitted$/);
    assert.match(line(`/proc/${agent}/environ`), /^DENIED .*Permission denied$/);
    assert.equal(line('/etc/mine/file'), "OK cat /etc/mine/file: thief's own file");
    assert.doesNotMatch(log, /PRIVATE KEY|other pod's secret|WEFT_HOME=/);
  });

  test('the nginx stand-in serves its own volume on port 80 as an unprivileged uid', async () => {
    const [web] = await runningPods(NAME, env, 'app=web', 1);
    assert.ok(web?.status);
    const body = await exec('thief', `curl -s --max-time 5 http://${web.status.podIP}/`);
    assert.equal(body, 'own volume served\n');
    const pids = (web.status as { pids?: number[] }).pids ?? [];
    assert.ok(pids.length === 1);
    const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${String(pids[0])}/status`, 'utf8'))?.[1];
    assert.equal(uid, String(podUid(NAME, 'default', 'web')));
    assert.match(readFileSync(`/proc/${String(pids[0])}/status`, 'utf8'), /^CapEff:\s+0+$/m);
  });

  test('weft exec runs as the pod: same uid, own volume, no secrets, no agent', async () => {
    const agent = agentPid();
    const out = await exec('other', `id -u; cat /etc/secret/token; cat ${path.join(home, 'pki', NAME, 'ca.key')} 2>&1; kill -0 ${agent} 2>&1; cat /proc/${agent}/environ 2>&1; echo "$POD_NAME"`);
    const lines = out.split('\n').filter((l) => l !== ''); // dash's kill prints an empty line after its error
    assert.equal(lines[0], String(podUid(NAME, 'default', 'other')));
    assert.equal(lines[1], "other pod's secret");
    assert.match(lines[2] ?? '', /No such file or directory/);
    assert.match(lines[3] ?? '', /Operation not permitted/);
    assert.match(lines[4] ?? '', /Permission denied/);
    assert.equal(lines[5], 'other', "the pod's environment");
  });

  test('pods keep running, confined, across an agent restart', async () => {
    const before = await getPods(NAME, env);
    const pidsOf = (pods: typeof before): string => JSON.stringify(pods.map((p) => [p.metadata.name, (p.status as { pids?: number[] } | null)?.pids]).sort());
    await weftOk(['lab', 'process', 'restart', '--name', NAME, '--host', 'n1', '--process', 'agent'], env);
    await waitFor('pods adopted by the new agent', async () => (pidsOf(await getPods(NAME, env)) === pidsOf(before) ? true : undefined), 30_000, 500);
    const [web] = await runningPods(NAME, env, 'app=web', 1);
    assert.ok(web?.status);
    assert.equal(await exec('thief', `curl -s --max-time 5 http://${web.status.podIP}/`), 'own volume served\n');
    assert.equal((await exec('web', 'id -u')).trim(), String(podUid(NAME, 'default', 'web')));
  });
});
