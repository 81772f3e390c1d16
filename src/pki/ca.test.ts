import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { caFromPem, certFingerprint, createCa, randomSerial, validityWindow } from './ca.ts';
import { isWeftError } from '../errors.ts';

test('createCa makes a self-signed P-256 CA valid ~10 years', async () => {
  const now = new Date('2030-01-01T00:00:00Z');
  const ca = await createCa({ now });
  const cert = new X509Certificate(ca.certPem);
  assert.equal(cert.ca, true);
  assert.match(cert.subject, /CN=weft-mesh-ca/);
  assert.equal(cert.subject, cert.issuer);
  assert.ok(cert.verify(cert.publicKey), 'self-signed signature verifies');
  assert.equal(cert.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  assert.equal(new Date(cert.validTo).getUTCFullYear(), 2039);
  assert.ok(new Date(cert.validFrom) < now);
  assert.match(ca.keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
  assert.ok(cert.keyUsage === undefined || Array.isArray(cert.keyUsage));
});

test('caFromPem round-trips and keeps the fingerprint', async () => {
  const ca = await createCa({ commonName: 'test-ca' });
  const back = await caFromPem(ca.certPem, ca.keyPem, '/tmp/x');
  assert.equal(certFingerprint(back.certPem), certFingerprint(ca.certPem));
  assert.match(certFingerprint(ca.certPem), /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
});

test('caFromPem refuses a key of another CA and garbage, naming the source', async () => {
  const a = await createCa();
  const b = await createCa();
  await assert.rejects(caFromPem(a.certPem, b.keyPem, '/pki/c0'), (e) => isWeftError(e) && /CA key of \/pki\/c0 does not belong/.test(e.message));
  await assert.rejects(caFromPem('nope', a.keyPem, '/pki/c0'), (e) => isWeftError(e) && /\/pki\/c0 is not a PEM certificate/.test(e.message));
  await assert.rejects(caFromPem(a.certPem, 'nope', '/pki/c0'), (e) => isWeftError(e) && /CA key of \/pki\/c0 is not a PEM private key/.test(e.message));
});

test('two CAs have different fingerprints', async () => {
  const [a, b] = [await createCa(), await createCa()];
  assert.notEqual(certFingerprint(a.certPem), certFingerprint(b.certPem));
});

test('randomSerial is 16 positive bytes; validityWindow backdates', () => {
  for (let i = 0; i < 50; i++) {
    const s = randomSerial();
    assert.match(s, /^[0-7][0-9a-f]{31}$/);
    assert.notEqual(s.slice(0, 2), '00');
  }
  const now = new Date('2030-01-01T00:00:00Z');
  const w = validityWindow(now, 365);
  assert.equal(w.notBefore.toISOString(), '2029-12-31T23:55:00.000Z');
  assert.equal(w.notAfter.toISOString(), '2031-01-01T00:00:00.000Z');
});
