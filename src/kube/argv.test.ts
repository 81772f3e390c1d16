import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agentKubeFlags, apiserverArgv, controllerManagerArgv, kubeEtcdArgv, kubernetesServiceIp, operatorKubeFlags, schedulerArgv } from './argv.ts';
import type { ControlPlaneInput } from './argv.ts';
import { kubeLayout } from './layout.ts';

const layout = kubeLayout('/h/pki/kc1/kube', '/h/lab/kc1', '/h/lab/kc1/cp', ['n1', 'n2']);
const input: ControlPlaneInput = {
  bins: { 'kube-apiserver': '/b/kube-apiserver', 'kube-controller-manager': '/b/kube-controller-manager', 'kube-scheduler': '/b/kube-scheduler' },
  etcdBin: '/usr/bin/etcd',
  layout,
  cpIp: '172.30.231.10',
  podCIDR: '10.231.0.0/16',
  serviceCIDR: '10.232.0.0/16',
  nodeCidrMaskSize: 24,
};

test('kube-etcd serves the control plane loopback only, with its own data folder and ports', () => {
  const a = kubeEtcdArgv(input);
  assert.equal(a[0], '/usr/bin/etcd');
  assert.ok(a.includes('--listen-client-urls=http://127.0.0.1:2381'));
  assert.ok(a.includes('--listen-peer-urls=http://127.0.0.1:2382'));
  assert.ok(a.includes('--data-dir=/h/lab/kc1/cp/kube-etcd'));
  assert.ok(!a.some((x) => x.includes('172.30.231.10')), 'kube-etcd is not reachable from the underlay');
});

test('kube-apiserver: the service range, RBAC + Node, NodeRestriction, its PKI, kubelet client cert, InternalIP, SA keys, no insecure port', () => {
  const a = apiserverArgv(input);
  for (const f of [
    '--advertise-address=172.30.231.10',
    '--secure-port=6443',
    '--insecure-port=0',
    '--etcd-servers=http://127.0.0.1:2381',
    '--service-cluster-ip-range=10.232.0.0/16',
    '--authorization-mode=Node,RBAC',
    '--enable-admission-plugins=NodeRestriction',
    '--client-ca-file=/h/pki/kc1/kube/ca.crt',
    '--tls-cert-file=/h/pki/kc1/kube/apiserver.crt',
    '--tls-private-key-file=/h/pki/kc1/kube/apiserver.key',
    '--kubelet-client-certificate=/h/pki/kc1/kube/apiserver-kubelet-client.crt',
    '--kubelet-client-key=/h/pki/kc1/kube/apiserver-kubelet-client.key',
    '--kubelet-preferred-address-types=InternalIP',
    '--service-account-key-file=/h/pki/kc1/kube/sa.pub',
    '--service-account-signing-key-file=/h/pki/kc1/kube/sa.key',
  ]) {
    assert.ok(a.includes(f), `missing ${f}`);
  }
  assert.equal(a[0], '/b/kube-apiserver');
});

test('kube-controller-manager allocates node CIDRs from the pod CIDR with the lab mask, service accounts, root CA', () => {
  const a = controllerManagerArgv(input);
  for (const f of [
    '--kubeconfig=/h/lab/kc1/kube/controller-manager.kubeconfig',
    '--allocate-node-cidrs=true',
    '--cluster-cidr=10.231.0.0/16',
    '--node-cidr-mask-size=24',
    '--service-cluster-ip-range=10.232.0.0/16',
    '--use-service-account-credentials=true',
    '--root-ca-file=/h/pki/kc1/kube/ca.crt',
    '--service-account-private-key-file=/h/pki/kc1/kube/sa.key',
    '--bind-address=172.30.231.10',
  ]) {
    assert.ok(a.includes(f), `missing ${f}`);
  }
});

test('kube-scheduler uses its kubeconfig and serves health on the control-plane address', () => {
  const a = schedulerArgv(input);
  assert.equal(a[0], '/b/kube-scheduler');
  assert.ok(a.includes('--kubeconfig=/h/lab/kc1/kube/scheduler.kubeconfig'));
  assert.ok(a.includes('--bind-address=172.30.231.10'));
  assert.ok(a.includes('--secure-port=10259'));
});

test('the daemons get the design flags: operator --kubeconfig, agent node kubeconfig + kubelet serving pair + client CA', () => {
  assert.deepEqual(operatorKubeFlags(layout), ['--kubeconfig', '/h/lab/kc1/kube/operator.kubeconfig']);
  assert.deepEqual(agentKubeFlags(layout, 'n2'), [
    '--kubeconfig',
    '/h/lab/kc1/kube/node-n2.kubeconfig',
    '--kubelet-cert',
    '/h/pki/kc1/kube/kubelet-n2.crt',
    '--kubelet-key',
    '/h/pki/kc1/kube/kubelet-n2.key',
    '--kubelet-client-ca',
    '/h/pki/kc1/kube/ca.crt',
  ]);
});

test('the kubernetes Service IP is the first address of the service range', () => {
  assert.equal(kubernetesServiceIp('10.232.0.0/16'), '10.232.0.1');
  assert.equal(kubernetesServiceIp('10.96.0.0/12'), '10.96.0.1');
});
