import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { kubeLayout } from './layout.ts';
import { kubeCertSpecs, writeKubePki } from './pki.ts';

const input = { cluster: 'kc1', cpIp: '172.30.231.10', serviceCIDR: '10.232.0.0/16', nodes: [{ name: 'n1', ip: '172.30.231.11' }] };

test('the specs: apiserver SANs, groups of admin/kubelet client/nodes, component CNs, kubelet serving SAN = node IP', () => {
  const l = kubeLayout('/p', '/c', '/c/cp', ['n1']);
  const by = new Map(kubeCertSpecs(input, l).map((s) => [path.basename(s.files.certFile, '.crt'), s.spec]));
  const api = by.get('apiserver');
  assert.deepEqual(api?.ipAddresses, ['172.30.231.10', '127.0.0.1', '10.232.0.1']);
  assert.deepEqual(api?.dnsNames, ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local']);
  assert.deepEqual(api?.usages, ['serverAuth']);
  assert.equal(by.get('admin')?.commonName, 'kubernetes-admin');
  assert.equal(by.get('admin')?.organization, 'system:masters');
  assert.equal(by.get('apiserver-kubelet-client')?.organization, 'system:masters');
  assert.equal(by.get('controller-manager')?.commonName, 'system:kube-controller-manager');
  assert.equal(by.get('scheduler')?.commonName, 'system:kube-scheduler');
  assert.equal(by.get('operator')?.commonName, 'weft-operator');
  assert.equal(by.get('operator')?.organization, undefined);
  assert.equal(by.get('node-n1')?.commonName, 'system:node:n1');
  assert.equal(by.get('node-n1')?.organization, 'system:nodes');
  assert.deepEqual(by.get('node-n1')?.usages, ['clientAuth']);
  assert.deepEqual(by.get('kubelet-n1')?.ipAddresses, ['172.30.231.11']);
  assert.deepEqual(by.get('kubelet-n1')?.usages, ['serverAuth']);
});

test('writeKubePki: its own CA signs every certificate, keys 0600, folder 0700, SA key pair matches', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'weft-kube-pki-'));
  try {
    const l = kubeLayout(path.join(dir, 'kube'), dir, path.join(dir, 'cp'), ['n1']);
    const ca = await writeKubePki(input, l);
    const caCert = new X509Certificate(ca.certPem);
    assert.match(caCert.subject, /CN=weft-kube-ca-kc1/);
    assert.equal(statSync(l.pkiDir).mode & 0o777, 0o700);
    for (const s of kubeCertSpecs(input, l)) {
      const cert = new X509Certificate(readFileSync(s.files.certFile));
      assert.ok(cert.verify(caCert.publicKey), `${s.files.certFile} signed by the kube CA`);
      assert.equal(statSync(s.files.keyFile).mode & 0o777, 0o600);
      assert.ok(cert.checkPrivateKey(createPrivateKey(readFileSync(s.files.keyFile))));
    }
    assert.match(new X509Certificate(readFileSync(l.admin.certFile)).subject, /O=system:masters/);
    assert.equal(statSync(l.saKey).mode & 0o777, 0o600);
    const pubFromKey = createPublicKey(createPrivateKey(readFileSync(l.saKey))).export({ type: 'spki', format: 'pem' });
    assert.equal(pubFromKey, readFileSync(l.saPub, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
