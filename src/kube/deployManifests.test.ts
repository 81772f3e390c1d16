/**
 * deploy/kubernetes/ (what a user applies to a real cluster): the
 * kustomization lists every manifest; the agent DaemonSet writes the same
 * conflist as the lab's runtime and starts the agent with flags it accepts
 * (in-cluster credentials, --external-kubelet); the operator runs one replica
 * with --kubeconfig in-cluster; the agent's role is read-only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { KUBE_DEPLOY_DIR, readManifests } from './apply.ts';
import { weftConflist } from '../runtime/podRuntime.ts';
import { kubeletOptions } from '../cli/daemonFlags.ts';
import { IN_CLUSTER } from './inCluster.ts';

interface Container { name: string; args?: string[]; command?: string[]; env?: { name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[] }
interface PodSpecLike { hostNetwork?: boolean; hostPID?: boolean; serviceAccountName?: string; initContainers?: Container[]; containers: Container[]; volumes?: { name: string; hostPath?: { path: string } }[] }
type Obj = { kind: string; metadata: { name: string }; spec?: { replicas?: number; template?: { spec: PodSpecLike } }; rules?: { verbs: string[] }[] };

const file = (f: string): string => path.join(KUBE_DEPLOY_DIR, f);
const all = (): Obj[] => (parse(readFileSync(file('kustomization.yaml'), 'utf8')) as { resources: string[] }).resources.flatMap((r) => readManifests(file(r)) as unknown as Obj[]);
const one = (kind: string, name: string): Obj => {
  const o = all().find((x) => x.kind === kind && x.metadata.name === name);
  assert.ok(o, `${kind} ${name} in deploy/kubernetes`);
  return o;
};
/** --flag=value / --flag → { flag: value | true } */
const flags = (args: readonly string[]): Record<string, string | true> => Object.fromEntries(args.filter((a) => a.startsWith('--')).map((a) => { const [k = '', ...v] = a.slice(2).split('='); return [k, v.length === 0 ? true : v.join('=')]; }));

void test('kustomization.yaml lists every manifest of deploy/kubernetes and the CRDs', () => {
  const listed = new Set((parse(readFileSync(file('kustomization.yaml'), 'utf8')) as { resources: string[] }).resources);
  const present = [...readdirSync(KUBE_DEPLOY_DIR).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml'), ...readdirSync(file('crds')).map((f) => `crds/${f}`)];
  assert.deepEqual([...listed].sort(), present.sort());
});

void test('agent DaemonSet: host network, privileged, the lab runtime’s conflist, node name/IP from the downward API, in-cluster and --external-kubelet', () => {
  const spec = one('DaemonSet', 'weft-agent').spec?.template?.spec;
  assert.ok(spec);
  assert.equal(spec.hostNetwork, true);
  assert.equal(spec.serviceAccountName, 'weft-agent');
  const agent = spec.containers.find((c) => c.name === 'agent');
  assert.ok(agent?.args);
  const f = flags(agent.args);
  assert.equal(f['kubeconfig'], IN_CLUSTER);
  assert.equal(f['external-kubelet'], true);
  assert.deepEqual(kubeletOptions({ kubeconfig: String(f['kubeconfig']), externalKubelet: true }), { kubeconfig: IN_CLUSTER, external: true });
  assert.equal(f['node'], '$(NODE_NAME)');
  assert.equal(f['node-ip'], '$(NODE_IP)');
  const fieldOf = (n: string): string | undefined => agent.env?.find((e) => e.name === n)?.valueFrom?.fieldRef?.fieldPath;
  assert.equal(fieldOf('NODE_NAME'), 'spec.nodeName');
  assert.equal(fieldOf('NODE_IP'), 'status.hostIP');
  const install = spec.initContainers?.find((c) => c.name === 'install-cni')?.args?.join('\n') ?? '';
  const written = /printf '%s\\n' '(\{.*\})' > \/host\/etc\/cni\/net\.d\//.exec(install)?.[1];
  assert.ok(written, 'the init container writes a conflist');
  assert.deepEqual(JSON.parse(written), weftConflist(path.join(String(f['state-dir']), 'cni.sock')));
  assert.match(install, /ln -sfn \/opt\/weft\/bin\/cni\/weft \/host\/opt\/cni\/bin\/weft\n/);
  const hostPaths = (spec.volumes ?? []).map((v) => v.hostPath?.path).filter((p) => p !== undefined);
  for (const p of ['/etc/cni/net.d', '/opt/cni/bin', '/run/netns', '/var/lib/weft']) assert.ok(hostPaths.includes(p), `hostPath ${p}`);
});

void test('operator Deployment: one replica, --kubeconfig in-cluster, its ServiceAccount bound to the read-only weft-operator role', () => {
  const d = one('Deployment', 'weft-operator');
  assert.equal(d.spec?.replicas, 1);
  const op = d.spec?.template?.spec.containers[0];
  assert.equal(op?.args?.[0], 'operator');
  assert.equal(flags(op?.args ?? [])['kubeconfig'], IN_CLUSTER);
  assert.equal(d.spec?.template?.spec.serviceAccountName, 'weft-operator');
  one('ClusterRoleBinding', 'weft-operator-serviceaccount');
});

void test('the agent’s and the operator’s ClusterRoles only read (get, list, watch)', () => {
  for (const name of ['weft-agent', 'weft-operator']) {
    const verbs = new Set((one('ClusterRole', name).rules ?? []).flatMap((r) => r.verbs));
    assert.deepEqual([...verbs].sort(), ['get', 'list', 'watch'], name);
  }
});
