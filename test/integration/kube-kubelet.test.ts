/**
 * Lab nodes as Kubernetes Nodes (the agent as a kubelet) on a real
 * `weft lab up --kubernetes` lab: Nodes Ready with PodCIDRs and leases, seed
 * 000's echo DaemonSet rolled out with kubectl, pod IPs from the node
 * PodCIDRs answering from the node, a Deployment scaled up and down,
 * `kubectl logs` (tail and follow) through the agent's kubelet API, and
 * `kubectl delete pod`: the sandbox goes and the ReplicaSet replaces it.
 * kubectl reads a temp KUBECONFIG only (the lab merges its context there).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exec } from '../../src/util/exec.ts';
import { cidrContainsIp, parseCidr, parseIp } from '../../src/util/cidr.ts';
import { podNetnsName } from '../../src/runtime/podSpec.ts';
import { hostNetns } from '../../src/lab/plan.ts';
import { netnsWithPrefix } from '../support/fixtures.ts';
import { waitFor, weft, weftOk } from '../support/weft.ts';
import { kubeApiAvailable } from '../support/kubeApiRestartable.ts';

const NAME = 'kn1';

interface PodItem {
  metadata: { name: string; labels?: Record<string, string> };
  spec: { nodeName?: string };
  status: { phase?: string; podIP?: string; conditions?: { type: string; status: string }[] };
}

describe('agent as a kubelet on a Kubernetes-mode lab', { concurrency: false, skip: kubeApiAvailable() ? false : 'no Kubernetes binaries (scripts/kube-bins.sh)' }, () => {
  const home = mkdtempSync(path.join(tmpdir(), 'wf-k2-'));
  const kubeconfig = path.join(home, 'user.kubeconfig');
  const env = { ...process.env, WEFT_HOME: home, KUBECONFIG: kubeconfig };
  const kubectl = (...args: string[]): Promise<string> => exec('kubectl', ['--context', NAME, ...args], { env });
  const pods = async (selector: string): Promise<PodItem[]> => (JSON.parse(await kubectl('get', 'pods', '-l', selector, '-o', 'json')) as { items: PodItem[] }).items;
  const nodeCidrs = new Map<string, string>();

  before(async () => {
    const up = await weft(['lab', 'up', '--kubernetes', '--name', NAME, '--id', '235', '--nodes', '2', '--pod-cidr', '10.235.0.0/16', '--service-cidr', '10.236.0.0/16'], env);
    if (up.code !== 0 && /etcd not healthy/.test(up.stderr)) await weftOk(['lab', 'up', '--kubernetes', '--name', NAME, '--id', '235', '--nodes', '2', '--pod-cidr', '10.235.0.0/16', '--service-cidr', '10.236.0.0/16'], env);
    else assert.equal(up.code, 0, up.stderr);
  });

  after(async () => {
    const down = await weft(['lab', 'down', '--name', NAME], env);
    const left = existsSync(kubeconfig) ? readFileSync(kubeconfig, 'utf8') : '';
    rmSync(home, { recursive: true, force: true });
    assert.equal(down.code, 0, down.stderr);
    assert.doesNotMatch(left, /kn1/, 'lab down removed its kubeconfig entries');
  });

  test('kubectl get nodes: both nodes Ready, with PodCIDRs in the cluster range, InternalIPs and leases', async () => {
    const nodes = await waitFor('two Ready nodes', async () => {
      const list = JSON.parse(await kubectl('get', 'nodes', '-o', 'json')) as { items: { metadata: { name: string }; spec: { podCIDR?: string }; status: { conditions: { type: string; status: string }[]; addresses: { type: string; address: string }[] } }[] };
      const ready = list.items.filter((n) => n.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True') && (n.spec.podCIDR ?? '') !== '');
      return ready.length === 2 ? ready : undefined;
    });
    for (const n of nodes) {
      const cidr = n.spec.podCIDR ?? '';
      assert.ok(cidrContainsIp(parseCidr('10.235.0.0/16'), parseIp(cidr.split('/')[0] ?? '')), `${n.metadata.name} ${cidr}`);
      assert.match(n.status.addresses.find((a) => a.type === 'InternalIP')?.address ?? '', /^172\.30\.235\.1[12]$/);
      nodeCidrs.set(n.metadata.name, cidr);
    }
    assert.equal(nodeCidrs.size, 2);
    assert.match(await kubectl('get', 'lease', '-n', 'kube-node-lease'), /\nn1\s+n1\s/);
    assert.match(await kubectl('get', 'nodes'), /\nn1\s+Ready\s/);
  });

  test("seed 000's echo DaemonSet rolls out, pods get IPs from their node's PodCIDR and answer from the node", async () => {
    await kubectl('apply', '-f', 'examples/seed-000/echo.yaml');
    await kubectl('rollout', 'status', 'daemonset/echo-1', '--timeout=120s');
    await kubectl('wait', '--for=condition=Ready', 'pod', '-l', 'run=echo-1', '--timeout=60s');
    const echo = await pods('run=echo-1');
    assert.equal(echo.length, 2);
    const wide = await kubectl('get', 'pods', '-o', 'wide', '-l', 'run=echo-1');
    for (const p of echo) {
      const ip = p.status.podIP ?? '';
      const node = p.spec.nodeName ?? '';
      assert.ok(cidrContainsIp(parseCidr(nodeCidrs.get(node) ?? ''), parseIp(ip)), `${p.metadata.name} ${ip} in ${node}'s ${nodeCidrs.get(node) ?? ''}`);
      assert.match(wide, new RegExp(`${p.metadata.name}\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+${ip.replaceAll('.', '\\.')}\\s+${node}`));
      // from the other node's netns, across nodes
      const from = hostNetns(NAME, node === 'n1' ? 'n2' : 'n1');
      const answer = await exec('ip', ['netns', 'exec', from, 'curl', '-s', '--max-time', '5', `http://${ip}:8080/`]);
      assert.match(answer, new RegExp(`^Request served by ${p.metadata.name}`));
    }
    // weft exec (kubectl exec is not served) enters a Kubernetes pod the same way
    const [a, b] = echo;
    assert.match(await weftOk(['--context', NAME, 'exec', a?.metadata.name ?? '', '--', 'curl', '-s', '--max-time', '5', `http://${b?.status.podIP ?? ''}:8080/`], env), new RegExp(`^Request served by ${b?.metadata.name ?? '?'}`));
    // the endpoint slice controller sees Ready pods
    assert.match(await kubectl('get', 'endpointslices', '-l', 'kubernetes.io/service-name=echo-1', '-o', 'jsonpath={.items[0].endpoints[*].addresses[0]}'), /10\.235\.\d+\.\d+ 10\.235\.\d+\.\d+/);
  });

  test('kubectl logs: the stand-in’s log, --tail and -f', async () => {
    const [p] = await pods('run=echo-1');
    assert.ok(p);
    const log = await kubectl('logs', p.metadata.name);
    assert.match(log, new RegExp(`echo server for default/${p.metadata.name} on 8080/TCP`));
    assert.equal((await kubectl('logs', p.metadata.name, '--tail=1')).trim().split('\n').length, 1);
    // -f: the last line, then the stream stays open (appends arrive: src/kubelet/logServer.test.ts)
    const follow = spawn('kubectl', ['--context', NAME, 'logs', '-f', '--tail=1', p.metadata.name], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let streamed = '';
    follow.stdout.on('data', (b: Buffer) => (streamed += b.toString()));
    try {
      await waitFor('the followed line', () => Promise.resolve(/echo server for/.test(streamed) ? true : undefined), 30_000);
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(follow.exitCode, null, 'kubectl logs -f keeps the stream open');
    } finally {
      follow.kill('SIGTERM');
    }
    const missing = await exec('kubectl', ['--context', NAME, 'logs', p.metadata.name, '-c', 'nope'], { env }).then(
      () => '',
      (err: unknown) => String(err),
    );
    assert.match(missing, /nope/);
  });

  test('a Deployment scaled up and down', async () => {
    await kubectl('create', 'deployment', 'web', '--image=nginx', '--replicas=1');
    await kubectl('rollout', 'status', 'deployment/web', '--timeout=120s');
    await kubectl('scale', 'deployment/web', '--replicas=4');
    await kubectl('rollout', 'status', 'deployment/web', '--timeout=120s');
    const up = await pods('app=web');
    assert.equal(up.filter((p) => p.status.phase === 'Running').length, 4);
    assert.deepEqual(new Set(up.map((p) => p.spec.nodeName)), new Set(['n1', 'n2']), 'spread over both nodes');
    await kubectl('scale', 'deployment/web', '--replicas=1');
    const down = await waitFor('one web pod left', async () => {
      const left = await pods('app=web');
      return left.length === 1 ? left : undefined;
    }, 90_000);
    const gone = up.filter((p) => p.metadata.name !== down[0]?.metadata.name);
    const netns = new Set([...(await netnsWithPrefix(`wf-${NAME}_n1_`)), ...(await netnsWithPrefix(`wf-${NAME}_n2_`))]);
    for (const p of gone) assert.equal(netns.has(podNetnsName(NAME, p.spec.nodeName ?? '', 'default', p.metadata.name)), false, `${p.metadata.name}'s netns is gone`);
  });

  test('kubectl delete pod: its netns is gone and the ReplicaSet replaces it', async () => {
    const [victim] = await pods('app=web');
    assert.ok(victim);
    const netns = podNetnsName(NAME, victim.spec.nodeName ?? '', 'default', victim.metadata.name);
    assert.ok((await netnsWithPrefix(netns)).includes(netns), 'the pod has its netns');
    await kubectl('delete', 'pod', victim.metadata.name, '--timeout=60s');
    assert.equal((await netnsWithPrefix(netns)).includes(netns), false, 'deleted only after its sandbox went');
    const replacement = await waitFor('a replacement web pod Ready', async () => {
      const now = await pods('app=web');
      const other = now.find((p) => p.metadata.name !== victim.metadata.name && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      return other;
    }, 90_000);
    assert.notEqual(replacement.metadata.name, victim.metadata.name);
  });
});
