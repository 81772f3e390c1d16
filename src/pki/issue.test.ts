import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { connect, createServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { createCa } from './ca.ts';
import { issueCertificate, validateCertSpec } from './issue.ts';
import { isWeftError } from '../errors.ts';

test('a server certificate chains to the CA, carries its SANs and server+client usages', async () => {
  const ca = await createCa();
  const now = new Date('2030-06-01T00:00:00Z');
  const s = await issueCertificate(ca, { commonName: 'etcd-server', usages: ['serverAuth', 'clientAuth'], ipAddresses: ['172.30.9.10', '127.0.0.1'], dnsNames: ['localhost'] }, now);
  const cert = new X509Certificate(s.certPem);
  const caCert = new X509Certificate(ca.certPem);
  assert.ok(cert.verify(caCert.publicKey));
  assert.ok(cert.checkIssued(caCert));
  assert.equal(cert.ca, false);
  assert.equal(cert.checkIP('172.30.9.10'), '172.30.9.10');
  assert.equal(cert.checkIP('127.0.0.1'), '127.0.0.1');
  assert.equal(cert.checkIP('10.0.0.1'), undefined);
  assert.equal(cert.checkHost('localhost'), 'localhost');
  assert.deepEqual([...(cert.keyUsage ?? [])].sort(), ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
  const days = (new Date(cert.validTo).getTime() - now.getTime()) / 86_400_000;
  assert.ok(days > 364 && days < 366, `valid ${days} days`);
  assert.ok(cert.checkPrivateKey((await import('node:crypto')).createPrivateKey(s.keyPem)));
});

test('a client certificate has CN = the user, clientAuth only, no SAN', async () => {
  const ca = await createCa();
  const c = await issueCertificate(ca, { commonName: 'remote', usages: ['clientAuth'] });
  const cert = new X509Certificate(c.certPem);
  assert.match(cert.subject, /^CN=remote$/m);
  assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.2']);
  assert.equal(cert.subjectAltName, undefined);
  assert.ok(cert.verify(new X509Certificate(ca.certPem).publicKey));
});

test('a certificate of another CA does not verify against this CA', async () => {
  const [a, b] = [await createCa(), await createCa()];
  const c = await issueCertificate(b, { commonName: 'admin', usages: ['clientAuth'] });
  assert.equal(new X509Certificate(c.certPem).verify(new X509Certificate(a.certPem).publicKey), false);
});

test('validateCertSpec names the bad value', () => {
  assert.throws(() => validateCertSpec({ commonName: 'a b', usages: ['clientAuth'] }), (e) => isWeftError(e) && /"a b"/.test(e.message));
  assert.throws(() => validateCertSpec({ commonName: 'x', usages: ['serverAuth'], ipAddresses: ['300.1.1.1'] }), (e) => isWeftError(e) && /300\.1\.1\.1/.test(e.message));
  assert.throws(() => validateCertSpec({ commonName: 'x', usages: [] }), (e) => isWeftError(e) && /no extended key usage/.test(e.message));
  assert.throws(() => validateCertSpec({ commonName: 'x', usages: ['serverAuth'], dnsNames: ['bad_name!'] }), (e) => isWeftError(e) && /bad_name!/.test(e.message));
});

test('mutual TLS on loopback: server and client certificates of one CA work, a foreign client is refused', async () => {
  const ca = await createCa();
  const other = await createCa();
  const server = await issueCertificate(ca, { commonName: 'etcd-server', usages: ['serverAuth'], ipAddresses: ['127.0.0.1'] });
  const client = await issueCertificate(ca, { commonName: 'admin', usages: ['clientAuth'] });
  const foreign = await issueCertificate(other, { commonName: 'admin', usages: ['clientAuth'] });
  const srv = createServer({ cert: server.certPem, key: server.keyPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true }, (sock) => {
    const peer = sock.getPeerCertificate();
    sock.end(`hello ${String(peer.subject.CN)}`);
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as AddressInfo).port;
  const talk = (pair: { certPem: string; keyPem: string }): Promise<string> =>
    new Promise((resolve, reject) => {
      const sock = connect({ host: '127.0.0.1', port, ca: ca.certPem, cert: pair.certPem, key: pair.keyPem }, () => undefined);
      let data = '';
      sock.on('data', (b: Buffer) => (data += b.toString()));
      sock.on('end', () => resolve(data));
      sock.on('error', reject);
    });
  try {
    assert.equal(await talk(client), 'hello admin');
    // TLS 1.3: the client may finish its handshake before the server refuses it; it never gets an answer.
    const refused = await talk(foreign).catch((e: unknown) => `error: ${String(e)}`);
    assert.notEqual(refused, 'hello admin');
  } finally {
    srv.close();
  }
});

test('organization sets the subject O (Kubernetes groups); a CN may carry colons (system:node:n1)', async () => {
  const ca = await createCa();
  const c = await issueCertificate(ca, { commonName: 'system:node:n1', organization: 'system:nodes', usages: ['clientAuth'] });
  const subject = new X509Certificate(c.certPem).subject;
  assert.match(subject, /^CN=system:node:n1$/m);
  assert.match(subject, /^O=system:nodes$/m);
  const d = await issueCertificate(ca, { commonName: 'admin', usages: ['clientAuth'] });
  assert.match(new X509Certificate(d.certPem).subject, /^O=weft$/m);
  assert.throws(() => validateCertSpec({ commonName: 'x', organization: 'a b', usages: ['clientAuth'] }), (e) => isWeftError(e) && /organization "a b"/.test(e.message));
});
