import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createCa } from './ca.ts';
import { certMismatch, clusterCertSpecs, clusterOfRemoteUser, ensureClusterCerts, localUser, remoteUser } from './clusterCerts.ts';
import { readPemPair, writePemPair } from './files.ts';
import { issueCertificate } from './issue.ts';

test('clusterCertSpecs: every CN names the cluster; local identities from the cluster CA, cross-cluster ones from the mesh CA', () => {
  const specs = clusterCertSpecs('c7', '172.30.7.10');
  assert.deepEqual(
    specs.map((s) => [s.name, s.issuer, s.spec.commonName]),
    [
      ['etcd-server', 'cluster', 'etcd-server'],
      ['admin', 'cluster', 'admin-c7'],
      ['operator', 'cluster', 'operator-c7'],
      ['node', 'cluster', 'node-c7'],
      ['mesh-proxy', 'cluster', 'mesh-proxy-c7'],
      ['remote', 'mesh', 'remote-c7'],
      ['mesh-proxy-server', 'mesh', 'mesh-proxy.c7'],
    ],
  );
  const server = specs[0]?.spec;
  assert.deepEqual(server?.ipAddresses, ['172.30.7.10', '127.0.0.1']);
  assert.deepEqual(server?.dnsNames, ['localhost']);
  assert.ok(server?.usages.includes('serverAuth'));
  for (const s of specs.slice(1, 6)) assert.deepEqual(s.spec.usages, ['clientAuth']);
  assert.deepEqual(specs[6]?.spec.usages, ['serverAuth']);
  assert.deepEqual(specs[6]?.spec.ipAddresses, ['172.30.7.10', '127.0.0.1']);
});

test('remote identities: remote-<cluster> and nothing else', () => {
  assert.equal(remoteUser('c1'), 'remote-c1');
  assert.equal(localUser('node', 'c1'), 'node-c1');
  assert.equal(clusterOfRemoteUser('remote-c1'), 'c1');
  assert.equal(clusterOfRemoteUser('remote-my-cluster-2'), 'my-cluster-2');
  for (const cn of ['remote', 'remote-', 'node-c1', 'remote-C1', 'remote-c1-', 'xremote-c1', 'remote-c1\n']) assert.equal(clusterOfRemoteUser(cn), undefined, cn);
});

test('certMismatch says why a certificate does not fit', async () => {
  const ca = await createCa();
  const other = await createCa();
  const spec = { commonName: 'etcd-server', usages: ['serverAuth' as const], ipAddresses: ['172.30.7.10', '127.0.0.1'], dnsNames: ['localhost'] };
  const good = await issueCertificate(ca, spec);
  assert.equal(certMismatch(good, spec, ca.certPem), '');
  assert.equal(certMismatch(good, spec, other.certPem), 'not issued by the mesh CA');
  assert.match(certMismatch(good, { ...spec, ipAddresses: ['172.30.8.10', '127.0.0.1'] }, ca.certPem), /SANs are/);
  assert.match(certMismatch(good, { ...spec, commonName: 'admin' }, ca.certPem), /CN is etcd-server, not admin/);
  const soon = new Date(Date.now() + 360 * 86_400_000);
  assert.match(certMismatch(good, spec, ca.certPem, soon), /expires/);
  const otherKey = await issueCertificate(ca, spec);
  assert.equal(certMismatch({ certPem: good.certPem, keyPem: otherKey.keyPem }, spec, ca.certPem), 'the key does not belong to the certificate');
  assert.equal(certMismatch({ certPem: 'x', keyPem: good.keyPem }, spec, ca.certPem), 'not a PEM certificate');
});

test('ensureClusterCerts issues everything once, each from its issuer, then keeps it; replaces what does not fit', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'weft-pki-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cas = { mesh: await createCa(), cluster: await createCa({ commonName: 'weft-cluster-ca-c7' }) };
  const first = await ensureClusterCerts(dir, cas, 'c7', '172.30.7.10');
  assert.equal(first.length, 7);
  assert.ok(first.every((c) => c.action === 'issued'));
  for (const c of first) {
    assert.equal(statSync(c.files.keyFile).mode & 0o777, 0o600);
    const cert = new X509Certificate(readPemPair(dir, c.name)?.certPem ?? '');
    const mesh = c.name === 'remote' || c.name === 'mesh-proxy-server';
    assert.equal(cert.verify(new X509Certificate(cas.mesh.certPem).publicKey), mesh, `${c.name} signed by the mesh CA`);
    assert.equal(cert.verify(new X509Certificate(cas.cluster.certPem).publicKey), !mesh, `${c.name} signed by the cluster CA`);
  }
  const before = readPemPair(dir, 'remote')?.certPem;
  const second = await ensureClusterCerts(dir, cas, 'c7', '172.30.7.10');
  assert.ok(second.every((c) => c.action === 'kept'));
  assert.equal(readPemPair(dir, 'remote')?.certPem, before);

  // A node certificate from the mesh CA (the old layout) is not the cluster CA's: reissued.
  writePemPair(dir, 'node', await issueCertificate(cas.mesh, { commonName: 'node-c7', usages: ['clientAuth'] }));
  const third = await ensureClusterCerts(dir, cas, 'c7', '172.30.7.10');
  const node = third.find((c) => c.name === 'node');
  assert.deepEqual([node?.action, node?.reason], ['reissued', 'not issued by the cluster CA']);
  assert.equal(third.filter((c) => c.action === 'kept').length, 6);
});
