import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { certFingerprint, createCa } from './ca.ts';
import { caFiles, clusterPkiDir, hasCa, loadCa, readPemPair, writeCa, writePemPair } from './files.ts';
import { issueCertificate } from './issue.ts';
import { isWeftError } from '../errors.ts';

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'weft-pki-'));
}

test('clusterPkiDir is under WEFT_HOME/pki', () => {
  const old = process.env['WEFT_HOME'];
  process.env['WEFT_HOME'] = '/x/home';
  try {
    assert.equal(clusterPkiDir('c1'), '/x/home/pki/c1');
  } finally {
    if (old === undefined) delete process.env['WEFT_HOME'];
    else process.env['WEFT_HOME'] = old;
  }
});

test('writeCa + loadCa round-trip; keys are 0600, certs 0644, the folder 0700', async (t) => {
  const root = tempDir();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const dir = path.join(root, 'pki', 'c1');
  const ca = await createCa();
  assert.equal(hasCa(dir), false);
  const files = writeCa(dir, ca);
  assert.equal(hasCa(dir), true);
  assert.equal(statSync(files.keyFile).mode & 0o777, 0o600);
  assert.equal(statSync(files.certFile).mode & 0o777, 0o644);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  const back = await loadCa(dir);
  assert.equal(certFingerprint(back.certPem), certFingerprint(ca.certPem));
  const leaf = writePemPair(dir, 'admin', await issueCertificate(back, { commonName: 'admin', usages: ['clientAuth'] }));
  assert.equal(statSync(leaf.keyFile).mode & 0o777, 0o600);
  assert.ok(readPemPair(dir, 'admin')?.certPem.includes('BEGIN CERTIFICATE'));
  assert.equal(readPemPair(dir, 'nobody'), undefined);
});

test('loadCa names the folder and the missing file', async (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await assert.rejects(loadCa(dir), (e) => isWeftError(e, 'NotFound') && e.message.includes(caFiles(dir).certFile) && /does not exist/.test(e.message));
  const ca = await createCa();
  writeFileSync(caFiles(dir).certFile, ca.certPem);
  await assert.rejects(loadCa(dir), (e) => isWeftError(e, 'NotFound') && e.message.includes(caFiles(dir).keyFile));
});
