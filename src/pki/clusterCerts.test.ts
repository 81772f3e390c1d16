import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createCa } from './ca.ts';
import { certMismatch, clusterCertSpecs, ensureClusterCerts } from './clusterCerts.ts';
import { readPemPair, writePemPair } from './files.ts';
import { issueCertificate } from './issue.ts';

test('clusterCertSpecs: the etcd server cert for the cp IP and loopback, one client cert per etcd user', () => {
  const specs = clusterCertSpecs('172.30.7.10');
  assert.deepEqual(specs.map((s) => s.name), ['etcd-server', 'admin', 'operator', 'node', 'remote']);
  const server = specs[0]?.spec;
  assert.deepEqual(server?.ipAddresses, ['172.30.7.10', '127.0.0.1']);
  assert.deepEqual(server?.dnsNames, ['localhost']);
  assert.ok(server?.usages.includes('serverAuth'));
  for (const s of specs.slice(1)) {
    assert.equal(s.spec.commonName, s.name);
    assert.deepEqual(s.spec.usages, ['clientAuth']);
  }
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

test('ensureClusterCerts issues everything once, then keeps it; replaces what does not fit', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'weft-pki-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const ca = await createCa();
  const first = await ensureClusterCerts(dir, ca, '172.30.7.10');
  assert.deepEqual(first.map((c) => c.action), ['issued', 'issued', 'issued', 'issued', 'issued']);
  for (const c of first) {
    assert.equal(statSync(c.files.keyFile).mode & 0o777, 0o600);
    assert.ok(new X509Certificate(readPemPair(dir, c.name)?.certPem ?? '').verify(new X509Certificate(ca.certPem).publicKey));
  }
  const before = readPemPair(dir, 'remote')?.certPem;
  const second = await ensureClusterCerts(dir, ca, '172.30.7.10');
  assert.deepEqual(second.map((c) => c.action), ['kept', 'kept', 'kept', 'kept', 'kept']);
  assert.equal(readPemPair(dir, 'remote')?.certPem, before);

  const other = await createCa();
  writePemPair(dir, 'remote', await issueCertificate(other, { commonName: 'remote', usages: ['clientAuth'] }));
  const third = await ensureClusterCerts(dir, ca, '172.30.7.10');
  assert.deepEqual(third.find((c) => c.name === 'remote'), { name: 'remote', files: third.find((c) => c.name === 'remote')?.files, action: 'reissued', reason: 'not issued by the mesh CA' });
  assert.equal(third.filter((c) => c.action === 'kept').length, 4);
});
