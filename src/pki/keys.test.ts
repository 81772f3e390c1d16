import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { generateKeyPair, importSigningKey, privateKeyToPem } from './keys.ts';
import { isWeftError } from '../errors.ts';

test('generated keys are P-256 and written as PKCS#8 PEM', async () => {
  const pair = await generateKeyPair();
  const pem = await privateKeyToPem(pair.privateKey);
  assert.match(pem, /^-----BEGIN PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+-----END PRIVATE KEY-----\n$/);
  const back = await importSigningKey(pem, 'test key');
  assert.deepEqual(back.algorithm, { name: 'ECDSA', hash: 'SHA-256' });
});

test('importSigningKey reads SEC1 EC keys and RSA keys, refuses others naming the source', async () => {
  const sec1 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ format: 'pem', type: 'sec1' }).toString();
  assert.match(sec1, /BEGIN EC PRIVATE KEY/);
  assert.equal((await importSigningKey(sec1, 'sec1')).algorithm.name, 'ECDSA');
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  assert.equal((await importSigningKey(rsa, 'rsa')).algorithm.name, 'RSASSA-PKCS1-v1_5');
  const ed = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  await assert.rejects(importSigningKey(ed, '/pki/x/ca.key'), (e) => isWeftError(e) && /\/pki\/x\/ca\.key is a ed25519 key/.test(e.message));
  await assert.rejects(importSigningKey('junk', '/pki/x/ca.key'), (e) => isWeftError(e) && /\/pki\/x\/ca\.key is not a PEM private key/.test(e.message));
});
