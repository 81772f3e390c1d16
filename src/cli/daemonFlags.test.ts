import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kubeletOptions } from './daemonFlags.ts';

void test('without --kubeconfig the agent stays standalone', () => {
  assert.equal(kubeletOptions({}), undefined);
});

void test('--kubeconfig alone: Kubernetes mode without the kubelet API', () => {
  assert.deepEqual(kubeletOptions({ kubeconfig: '/k' }), { kubeconfig: '/k' });
});

void test('the kubelet TLS flags go together and need --kubeconfig', () => {
  assert.deepEqual(kubeletOptions({ kubeconfig: '/k', kubeletCert: '/c', kubeletKey: '/key', kubeletClientCa: '/ca' }), {
    kubeconfig: '/k',
    server: { certFile: '/c', keyFile: '/key', clientCaFile: '/ca' },
  });
  assert.throws(() => kubeletOptions({ kubeconfig: '/k', kubeletCert: '/c' }), /go together/);
  assert.throws(() => kubeletOptions({ kubeletCert: '/c', kubeletKey: '/key', kubeletClientCa: '/ca' }), /need --kubeconfig/);
});

void test('--external-kubelet (a real cluster): needs --kubeconfig, takes in-cluster, refuses the kubelet API flags (the real kubelet owns :10250)', () => {
  assert.deepEqual(kubeletOptions({ kubeconfig: 'in-cluster', externalKubelet: true }), { kubeconfig: 'in-cluster', external: true });
  assert.throws(() => kubeletOptions({ externalKubelet: true }), /--external-kubelet needs --kubeconfig/);
  assert.throws(() => kubeletOptions({ kubeconfig: '/k', externalKubelet: true, kubeletCert: '/c', kubeletKey: '/key', kubeletClientCa: '/ca' }), /serves :10250/);
});
