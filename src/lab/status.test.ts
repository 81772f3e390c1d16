import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeLabStatus, healthUrlOf } from './status.ts';
import { formatHealthCell, formatLabStatus, formatProcessCell } from './format.ts';
import { withHealth } from './health.ts';
import { clusterStateFromPlan } from './state.ts';
import type { LabState } from './state.ts';
import { planCluster, planUnderlay, UNDERLAY_NETNS } from './plan.ts';

function sampleState(): LabState {
  const u = planUnderlay('172.30.0.0/16');
  const c = clusterStateFromPlan(
    planCluster(
      { name: 'c1', id: 1, nodes: 2, podCIDRs: ['10.1.0.0/16'], serviceCIDR: '10.101.0.0/16', routing: 'tunnel', nodeCidrMaskSize: 24 },
      u,
      { labDir: '/lab', nodeBin: '/node', cliEntry: '/main.ts', etcdBin: '/usr/bin/etcd' },
    ),
    '2024-01-01T00:00:00Z',
  );
  c.hosts[0]!.processes[0]!.pid = 100;
  c.hosts[0]!.processes[0]!.startTime = '1';
  c.hosts[1]!.processes[0]!.pid = 101;
  c.hosts[1]!.processes[0]!.startTime = '1';
  return { version: 1, underlay: { ...u }, clusters: [c] };
}

void test('joins the record with present netns and live processes', () => {
  const st = computeLabStatus(sampleState(), [UNDERLAY_NETNS, 'wf-c1_cp', 'wf-c1_n1'], (r) => r.pid === 100);
  assert.deepEqual(st.underlay, { cidr: '172.30.0.0/16', netns: 'wf-underlay', present: true });
  const c = st.clusters[0]!;
  assert.deepEqual(
    c.hosts.map((h) => [h.name, h.ip, h.netnsPresent, h.processes.map((p) => `${p.name}:${p.pid}:${p.alive}`).join(' ')]),
    [
      ['cp', '172.30.1.10', true, 'etcd:100:true operator:null:false'],
      ['n1', '172.30.1.11', true, 'agent:101:false'],
      ['n2', '172.30.1.12', false, 'agent:null:false'],
    ],
  );
});

void test('the table shows every host with ✅/❌ and PIDs', () => {
  const text = formatLabStatus(computeLabStatus(sampleState(), ['wf-c1_cp'], (r) => r.pid === 100));
  assert.match(text, /Underlay: 172\.30\.0\.0\/16 \(netns wf-underlay ❌\)/);
  assert.match(text, /c1.*cp.*172\.30\.1\.10.*✅ wf-c1_cp.*✅ 100.*❌ -/);
  assert.match(text, /n1.*❌ wf-c1_n1.*❌ 101/);
  assert.match(text, /etcd http:\/\/172\.30\.1\.10:2379/);
  assert.doesNotMatch(text, /KUBE-APISERVER/, 'no Kubernetes columns without a Kubernetes cluster');
  assert.equal(formatProcessCell({ name: 'agent', pid: null, alive: false, logFile: '', health: { state: 'failing', url: '', error: '' } }), '❌ -');
  assert.match(formatLabStatus({ underlay: null, clusters: [] }), /No lab clusters/);
});

void test('a cluster with clustermesh enabled shows its https endpoint with mTLS', () => {
  const state = sampleState();
  const c = state.clusters[0]!;
  c.endpoint = 'https://172.30.1.10:2379';
  c.mesh = { enabled: true, pkiDir: '/home/pki/c1' };
  const st = computeLabStatus(state, [], () => false);
  assert.deepEqual(st.clusters[0]?.mesh, { enabled: true, pkiDir: '/home/pki/c1' });
  assert.match(formatLabStatus(st), /c1: etcd https:\/\/172\.30\.1\.10:2379 \(mTLS \+ RBAC, clustermesh enabled\)/);
  assert.deepEqual(computeLabStatus(sampleState(), [], () => false).clusters[0]?.mesh, { enabled: false, pkiDir: '' });
});

void test("each process's health endpoint: etcd's /health, the daemons' /healthz, none for the mesh proxy; probed results fill the HEALTH column", async () => {
  assert.equal(healthUrlOf('etcd', '172.30.1.10', 'https://172.30.1.10:2379'), 'https://172.30.1.10:2379/health');
  assert.equal(healthUrlOf('operator', '172.30.1.10', ''), 'http://172.30.1.10:9963/healthz');
  assert.equal(healthUrlOf('agent', '172.30.1.11', ''), 'http://172.30.1.11:9962/healthz');
  assert.equal(healthUrlOf('mesh-proxy', '172.30.1.10', ''), '');
  assert.equal(healthUrlOf('kube-apiserver', '172.30.1.10', ''), 'https://172.30.1.10:6443/healthz');
  assert.equal(healthUrlOf('kube-etcd', '172.30.1.10', ''), 'https://172.30.1.10:6443/healthz/etcd');
  assert.equal(healthUrlOf('kube-controller-manager', '172.30.1.10', ''), 'https://172.30.1.10:10257/healthz');
  assert.equal(healthUrlOf('kube-scheduler', '172.30.1.10', ''), 'https://172.30.1.10:10259/healthz');
  const st = computeLabStatus(sampleState(), [], (r) => r.pid === 100);
  assert.deepEqual(st.clusters[0]?.hosts[0]?.processes.map((p) => p.health.state), ['unchecked', 'unchecked']);
  assert.match(formatLabStatus(st), /HEALTH[\s\S]*etcd \? operator \?/);
  const probed = await withHealth(st, (p) => Promise.resolve(p.name === 'etcd' ? { ...p.health, state: 'ok' as const } : { ...p.health, state: 'failing' as const, error: 'down' }));
  const text = formatLabStatus(probed);
  assert.match(text, /cp.*etcd ✅ operator ❌/);
  assert.match(text, /n1.*agent ❌/);
  assert.equal(probed.clusters[0]?.hosts[1]?.processes[0]?.health.error, 'down');
  assert.equal(formatHealthCell([{ name: 'mesh-proxy', pid: 1, alive: true, logFile: '', health: { state: 'none', url: '', error: '' } }]), 'mesh-proxy -');
});
