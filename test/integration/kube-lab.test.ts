/**
 * `weft lab up --kubernetes` for real (root, the control-plane binaries of
 * scripts/kube-bins.sh): two clusters, checked with the real kubectl through
 * the contexts lab up merged into $KUBECONFIG (a temp file holding an
 * unrelated entry): API health, namespaces, RBAC of the operator's and a
 * node's identity, the CRD, the Nodes Ready with the PodCIDRs the controller
 * manager allocated from --pod-cidr; lab status rows; lab down stops the new
 * processes, removes the Kubernetes PKI and exactly the kubeconfig entries
 * it added.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { isAlive } from '../../src/util/proc.ts';
import { resolveKubeBins } from '../../src/kube/bins.ts';
import type { LabStatus } from '../../src/lab/status.ts';
import { LabState } from '../../src/lab/state.ts';
import { weft } from '../support/weft.ts';

const isRoot = process.getuid?.() === 0;
const kubectlPath = spawnSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).stdout.trim();
let binsError = '';
try {
  resolveKubeBins();
} catch (err) {
  binsError = (err as Error).message;
}
const skip = !isRoot ? 'needs root' : kubectlPath === '' ? 'needs kubectl on PATH' : binsError !== '' ? binsError : false;

const CLUSTERS = [
  { name: 'kc1', id: 231, nodes: 2, pods: '10.231.0.0/16', services: '10.232.0.0/16' },
  { name: 'kc2', id: 233, nodes: 1, pods: '10.233.0.0/16', services: '10.234.0.0/16' },
] as const;
const UNRELATED = `apiVersion: v1
kind: Config
clusters:
- name: elsewhere
  cluster:
    server: https://10.99.0.1:6443
users:
- name: someone
  user:
    token: abc
contexts:
- name: elsewhere
  context:
    cluster: elsewhere
    user: someone
current-context: elsewhere
`;

let home = '';
let kubeconfig = '';
let env: NodeJS.ProcessEnv = {};

function kubectl(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('kubectl', args, { env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function kubectlOk(...args: string[]): string {
  const r = kubectl(...args);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function canI(context: string, ...args: string[]): string {
  return kubectl('--context', context, 'auth', 'can-i', ...args).stdout.trim();
}

async function weftOk(...args: string[]): Promise<string> {
  const r = await weft(args, env);
  assert.equal(r.code, 0, `weft ${args.join(' ')} (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function labState(): LabState {
  return LabState.parse(JSON.parse(readFileSync(path.join(home, 'lab', 'state.json'), 'utf8')));
}

function userConfig(): { clusters: { name: string }[]; users: { name: string }[]; contexts: { name: string }[]; 'current-context': string } {
  return parse(readFileSync(kubeconfig, 'utf8')) as ReturnType<typeof userConfig>;
}

before(() => {
  if (skip !== false) return;
  home = mkdtempSync('/tmp/wf-k1-it-');
  kubeconfig = path.join(mkdtempSync(path.join(tmpdir(), 'wf-k1-kubeconfig-')), 'config');
  writeFileSync(kubeconfig, UNRELATED, { mode: 0o600 });
  env = { ...process.env, WEFT_HOME: home, KUBECONFIG: kubeconfig };
});

after(async () => {
  if (skip !== false) return;
  await weft(['lab', 'down'], env);
  rmSync(home, { recursive: true, force: true });
  rmSync(path.dirname(kubeconfig), { recursive: true, force: true });
});

test('lab up --kubernetes: a real control plane per cluster, reachable with kubectl through the merged contexts', { skip }, async () => {
  for (const c of CLUSTERS) {
    await weftOk('lab', 'up', '--kubernetes', '--name', c.name, '--id', String(c.id), '--nodes', String(c.nodes), '--pod-cidr', c.pods, '--service-cidr', c.services, '--wait-timeout', '120');
  }
  const cfg = userConfig();
  assert.deepEqual(cfg.contexts.map((x) => x.name), ['elsewhere', 'kc1', 'kc2']);
  assert.deepEqual(cfg.users.map((x) => x.name), ['someone', 'kc1-admin', 'kc2-admin']);
  assert.equal(cfg['current-context'], 'kc2', 'the last lab up switches the current context, as kind does');
  assert.equal(statSync(kubeconfig).mode & 0o777, 0o600);
  assert.ok(existsSync(path.join(home, 'kubeconfig')));

  for (const c of CLUSTERS) {
    assert.equal(kubectlOk('--context', c.name, 'get', '--raw', '/healthz'), 'ok');
    const ns = kubectlOk('--context', c.name, 'get', 'ns', '-o', 'jsonpath={.items[*].metadata.name}').split(' ');
    for (const n of ['default', 'kube-system', 'kube-node-lease', 'kube-public']) assert.ok(ns.includes(n), `namespace ${n} in ${ns.join(',')}`);
    // the kubernetes Service takes the first address of the cluster's --service-cidr
    assert.equal(kubectlOk('--context', c.name, 'get', 'svc', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}'), c.services.replace('0.0/16', '0.1'));
    assert.match(kubectlOk('--context', c.name, 'get', 'crd', 'ciliumnetworkpolicies.cilium.io', '-o', 'name'), /ciliumnetworkpolicies\.cilium\.io/);

    // the operator's identity reads what it watches, and writes nothing
    for (const r of ['services', 'endpointslices.discovery.k8s.io', 'pods', 'namespaces', 'nodes', 'networkpolicies.networking.k8s.io', 'ciliumnetworkpolicies.cilium.io', 'configmaps']) {
      assert.equal(canI(c.name, 'watch', r, '--all-namespaces', '--as', 'weft-operator'), 'yes', `weft-operator watches ${r}`);
    }
    assert.match(canI(c.name, 'create', 'pods', '--as', 'weft-operator'), /^no\b/);
    assert.match(canI(c.name, 'list', 'secrets', '--all-namespaces', '--as', 'weft-operator'), /^no\b/);
    // a node's identity (Node authorizer): its own Node and lease, not secrets or workloads
    const asNode = ['--as', 'system:node:n1', '--as-group', 'system:nodes'];
    assert.equal(canI(c.name, 'get', 'nodes/n1', ...asNode), 'yes');
    assert.equal(canI(c.name, 'create', 'leases.coordination.k8s.io', '-n', 'kube-node-lease', ...asNode), 'yes');
    assert.match(canI(c.name, 'list', 'secrets', '--all-namespaces', ...asNode), /^no\b/);
    assert.match(canI(c.name, 'create', 'deployments.apps', ...asNode), /^no\b/);
    // the admin context is system:masters
    assert.equal(canI(c.name, '*', '*'), 'yes');

    // Nodes Ready with the PodCIDRs the controller manager allocated from --pod-cidr (/24 each)
    const nodes = JSON.parse(kubectlOk('--context', c.name, 'get', 'nodes', '-o', 'json')) as {
      items: { metadata: { name: string }; spec: { podCIDR?: string }; status: { conditions: { type: string; status: string }[]; addresses: { type: string; address: string }[] } }[];
    };
    assert.deepEqual(nodes.items.map((n) => n.metadata.name).sort(), Array.from({ length: c.nodes }, (_, i) => `n${i + 1}`));
    const prefix = c.pods.split('.').slice(0, 2).join('.');
    for (const n of nodes.items) {
      assert.equal(n.status.conditions.find((x) => x.type === 'Ready')?.status, 'True', `${n.metadata.name} Ready`);
      assert.match(n.spec.podCIDR ?? '', new RegExp(`^${prefix.replace('.', '\\.')}\\.\\d+\\.0/24$`), `${n.metadata.name} podCIDR ${n.spec.podCIDR ?? '-'} in ${c.pods}`);
      const idx = Number(n.metadata.name.slice(1));
      assert.equal(n.status.addresses.find((a) => a.type === 'InternalIP')?.address, `172.30.${c.id}.${10 + idx}`);
    }
  }

  // the Kubernetes PKI: its own CA, keys 0600
  const kc1 = labState().clusters.find((x) => x.name === 'kc1');
  assert.ok(kc1?.kubernetes !== undefined);
  assert.equal(kc1.kubernetes.apiServer, 'https://172.30.231.10:6443');
  assert.equal(kc1.kubernetes.userKubeconfig, kubeconfig);
  assert.equal(statSync(path.join(kc1.kubernetes.pkiDir, 'ca.key')).mode & 0o777, 0o600);
  assert.equal(statSync(path.join(kc1.kubernetes.pkiDir, 'sa.key')).mode & 0o777, 0o600);
});

test('lab status shows the control plane processes, alive and healthy', { skip }, async () => {
  const status = JSON.parse(await weftOk('lab', 'status', '-o', 'json')) as LabStatus;
  for (const c of status.clusters) {
    const cp = c.hosts.find((h) => h.name === 'cp');
    for (const name of ['kube-etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) {
      const p = cp?.processes.find((x) => x.name === name);
      assert.ok(p?.alive, `${c.name} ${name} alive`);
      assert.equal(p.health.state, 'ok', `${c.name} ${name} health: ${p.health.error}`);
    }
  }
  const table = await weftOk('lab', 'status');
  assert.match(table, /KUBE-APISERVER/);
});

test('lab down removes the processes, the Kubernetes PKI and exactly its kubeconfig entries', { skip }, async () => {
  const before = labState();
  const kc1 = before.clusters.find((x) => x.name === 'kc1');
  assert.ok(kc1?.kubernetes !== undefined);
  const procs = kc1.hosts.flatMap((h) => h.processes).filter((p) => p.pid !== null && p.startTime !== null);
  assert.ok(procs.some((p) => p.name === 'kube-apiserver'));

  await weftOk('lab', 'down', '--name', 'kc1');
  for (const p of procs) assert.equal(isAlive({ pid: p.pid ?? 0, startTime: p.startTime ?? '' }), false, `${p.name} (pid ${p.pid ?? '-'}) stopped`);
  assert.equal(existsSync(kc1.kubernetes.pkiDir), false, 'the Kubernetes PKI is gone');
  let cfg = userConfig();
  assert.deepEqual(cfg.contexts.map((x) => x.name), ['elsewhere', 'kc2']);
  assert.deepEqual(cfg.clusters.map((x) => x.name), ['elsewhere', 'kc2']);
  assert.deepEqual(cfg.users.map((x) => x.name), ['someone', 'kc2-admin']);
  assert.equal(cfg['current-context'], 'kc2', 'kc2 stays current');
  assert.equal(kubectlOk('--context', 'kc2', 'get', '--raw', '/healthz'), 'ok', 'the other cluster is untouched');

  await weftOk('lab', 'down');
  cfg = userConfig();
  const unrelated = parse(UNRELATED) as ReturnType<typeof userConfig>;
  assert.deepEqual(cfg.clusters, unrelated.clusters);
  assert.deepEqual(cfg.users, unrelated.users);
  assert.deepEqual(cfg.contexts, unrelated.contexts);
  assert.equal(cfg['current-context'], '', 'the removed context was current: cleared, as kind does');
  assert.equal(existsSync(path.join(home, 'kubeconfig')), false, "the lab's kubeconfig goes with its last cluster");
  assert.equal(existsSync(path.join(home, 'pki')), false);
});
