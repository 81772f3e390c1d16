import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterNetnsPrefix, hostIp, planCluster, planUnderlay, underlayVethName } from './plan.ts';
import type { LabClusterSpec, PlanEnv } from './plan.ts';
import { isWeftError } from '../errors.ts';

const env: PlanEnv = { labDir: '/lab', nodeBin: '/node', cliEntry: '/weft/main.ts', etcdBin: '/usr/bin/etcd' };
const spec: LabClusterSpec = {
  name: 'c1',
  id: 1,
  nodes: 2,
  podCIDRs: ['10.1.0.0/16'],
  serviceCIDR: '10.101.0.0/16',
  routing: 'native',
  nodeCidrMaskSize: 24,
};

void test('underlay: root address is the first host, /16 or larger only', () => {
  const u = planUnderlay('172.30.0.0/16');
  assert.equal(u.rootAddress, '172.30.0.1/16');
  assert.equal(u.netns, 'wf-underlay');
  assert.equal(u.bridge, 'br0');
  assert.equal(u.rootVeth, 'weft0');
  assert.throws(() => planUnderlay('172.30.0.0/24'), (e: unknown) => isWeftError(e, 'InvalidCidr') && e.message.includes('172.30.0.0/24'));
});

void test('host addresses: control plane .N.10, node i .N.(10+i)', () => {
  assert.equal(hostIp('172.30.0.0/16', 1, 0), '172.30.1.10');
  assert.equal(hostIp('172.30.0.0/16', 255, 3), '172.30.255.13');
  assert.equal(hostIp('10.200.0.0/16', 7, 1), '10.200.7.11');
});

void test('names: netns prefix, veth names within 15 characters', () => {
  assert.equal(clusterNetnsPrefix('c1'), 'wf-c1_');
  assert.equal(underlayVethName(255, 'n244'), 'u255-n244');
  assert.ok(underlayVethName(255, 'n244').length <= 15);
});

void test('plans hosts, processes and the cluster config', () => {
  const plan = planCluster(spec, planUnderlay('172.30.0.0/16'), env);
  assert.equal(plan.endpoint, 'http://172.30.1.10:2379');
  assert.equal(plan.dir, '/lab/c1');
  assert.deepEqual(
    plan.hosts.map((h) => [h.name, h.role, h.netns, h.address, h.underlayVeth, h.dir]),
    [
      ['cp', 'control-plane', 'wf-c1_cp', '172.30.1.10/16', 'u1-cp', '/lab/c1/cp'],
      ['n1', 'node', 'wf-c1_n1', '172.30.1.11/16', 'u1-n1', '/lab/c1/n1'],
      ['n2', 'node', 'wf-c1_n2', '172.30.1.12/16', 'u1-n2', '/lab/c1/n2'],
    ],
  );
  for (const h of plan.hosts) assert.ok(h.netns.startsWith(plan.netnsPrefix));
  const cp = plan.hosts[0]!;
  assert.deepEqual(
    cp.processes.map((p) => p.name),
    ['etcd', 'operator'],
  );
  const etcd = cp.processes[0]!;
  assert.deepEqual(etcd.argv.slice(0, 4), ['nsenter', '--net=/run/netns/wf-c1_cp', '--', '/usr/bin/etcd']);
  assert.ok(etcd.argv.includes('--data-dir=/lab/c1/cp/etcd'));
  assert.ok(etcd.argv.includes('--listen-client-urls=http://172.30.1.10:2379,http://127.0.0.1:2379'));
  assert.ok(etcd.argv.includes('--listen-peer-urls=http://127.0.0.1:2380'));
  assert.ok(etcd.argv.includes('--logger=zap') && etcd.argv.includes('--log-level=warn'));
  assert.equal(etcd.logFile, '/lab/c1/cp/etcd.log');
  assert.deepEqual(cp.processes[1]!.argv, [
    'nsenter', '--net=/run/netns/wf-c1_cp', '--', '/node', '--no-warnings=ExperimentalWarning', '--max-semi-space-size=8', '/weft/main.ts',
    'operator', '--cluster', 'c1', '--etcd', 'http://127.0.0.1:2379', '--state-dir', '/lab/c1/cp',
  ]);
  assert.deepEqual(plan.hosts[2]!.processes[0]!.argv, [
    'nsenter', '--net=/run/netns/wf-c1_n2', '--', '/node', '--no-warnings=ExperimentalWarning', '--max-semi-space-size=8', '/weft/main.ts',
    'agent', '--cluster', 'c1', '--node', 'n2', '--node-ip', '172.30.1.12', '--etcd', 'http://172.30.1.10:2379', '--state-dir', '/lab/c1/n2',
  ]);
  assert.deepEqual(plan.clusterConfig, {
    id: 1,
    name: 'c1',
    podCIDRs: ['10.1.0.0/16'],
    serviceCIDR: '10.101.0.0/16',
    routingMode: 'native',
    nodeCidrMaskSize: 24,
    capabilities: [],
  });
});

void test('policyDefaultLocalCluster flows into the ClusterConfig only when given', () => {
  assert.equal('policyDefaultLocalCluster' in planCluster({ ...spec }, planUnderlay('172.30.0.0/16'), env).clusterConfig, false);
  assert.equal(planCluster({ ...spec, policyDefaultLocalCluster: false }, planUnderlay('172.30.0.0/16'), env).clusterConfig.policyDefaultLocalCluster, false);
});

void test('--kubernetes: the control plane on cp before the operator, the design flags on operator and agents, the PKI under pki/<cluster>/kube', () => {
  const bins = { 'kube-apiserver': '/b/a', 'kube-controller-manager': '/b/c', 'kube-scheduler': '/b/s' };
  const plan = planCluster({ ...spec, kubernetes: true }, planUnderlay('172.30.0.0/16'), { ...env, kube: { bins, pkiRoot: '/pki' } });
  const [cp, n1] = plan.hosts;
  assert.deepEqual(cp?.processes.map((p) => p.name), ['etcd', 'kube-etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'operator']);
  assert.deepEqual(plan.kubernetes?.apiServer, 'https://172.30.1.10:6443');
  assert.equal(plan.kubernetes?.layout.pkiDir, '/pki/c1/kube');
  const api = cp?.processes.find((p) => p.name === 'kube-apiserver');
  assert.deepEqual(api?.argv.slice(0, 4), ['nsenter', '--net=/run/netns/wf-c1_cp', '--', '/b/a']);
  assert.equal(api?.logFile, '/lab/c1/cp/kube-apiserver.log');
  const op = cp?.processes.find((p) => p.name === 'operator')?.argv ?? [];
  assert.deepEqual(op.slice(-2), ['--kubeconfig', '/lab/c1/kube/operator.kubeconfig']);
  const agent = n1?.processes[0]?.argv ?? [];
  assert.deepEqual(agent.slice(-8), [
    '--kubeconfig',
    '/lab/c1/kube/node-n1.kubeconfig',
    '--kubelet-cert',
    '/pki/c1/kube/kubelet-n1.crt',
    '--kubelet-key',
    '/pki/c1/kube/kubelet-n1.key',
    '--kubelet-client-ca',
    '/pki/c1/kube/ca.crt',
  ]);
  // standalone mode is unchanged
  const plain = planCluster(spec, planUnderlay('172.30.0.0/16'), env);
  assert.equal(plain.kubernetes, undefined);
  assert.ok(!plain.hosts.flatMap((h) => h.processes.flatMap((p) => p.argv)).includes('--kubeconfig'));
  assert.throws(() => planCluster({ ...spec, kubernetes: true }, planUnderlay('172.30.0.0/16'), env), (e: unknown) => isWeftError(e, 'Internal'));
  assert.throws(
    () => planCluster({ ...spec, kubernetes: true, podCIDRs: ['10.1.0.0/16', '10.2.0.0/16'] }, planUnderlay('172.30.0.0/16'), { ...env, kube: { bins, pkiRoot: '/pki' } }),
    (e: unknown) => isWeftError(e, 'InvalidInput') && e.message.includes('10.1.0.0/16,10.2.0.0/16'),
  );
});
