import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { saveContext } from '../contexts/contexts.ts';
import { isWeftError } from '../errors.ts';
import { certFingerprint, createCa } from '../pki/ca.ts';
import { clusterPkiDir, hasCa, writeCa } from '../pki/files.ts';
import { parseCaChoice, resolveMeshCa } from './enableCa.ts';

function withHome(t: { after: (fn: () => void) => void }): string {
  const home = mkdtempSync(path.join(tmpdir(), 'weft-home-'));
  const old = process.env['WEFT_HOME'];
  process.env['WEFT_HOME'] = home;
  t.after(() => {
    if (old === undefined) delete process.env['WEFT_HOME'];
    else process.env['WEFT_HOME'] = old;
    rmSync(home, { recursive: true, force: true });
  });
  return home;
}

test('parseCaChoice', () => {
  assert.deepEqual(parseCaChoice({}), { mode: 'default' });
  assert.deepEqual(parseCaChoice({ createCa: true }), { mode: 'create' });
  assert.deepEqual(parseCaChoice({ inheritCa: 'c0' }), { mode: 'inherit', context: 'c0' });
  assert.throws(() => parseCaChoice({ createCa: true, inheritCa: 'c0' }), (e) => isWeftError(e, 'InvalidInput') && /"c0"/.test(e.message));
});

test('no CA yet: a new one (default and --create-ca), written nowhere yet', async (t) => {
  withHome(t);
  const r = await resolveMeshCa('c1', { mode: 'default' });
  assert.equal(r.source, 'created');
  assert.equal(r.fingerprint, certFingerprint(r.ca.certPem));
  assert.equal(hasCa(clusterPkiDir('c1')), false);
  assert.equal((await resolveMeshCa('c1', { mode: 'create' })).source, 'created');
});

test('an existing CA is kept, also with --create-ca', async (t) => {
  withHome(t);
  const ca = await createCa();
  writeCa(clusterPkiDir('c1'), ca);
  for (const mode of ['default', 'create'] as const) {
    const r = await resolveMeshCa('c1', { mode });
    assert.equal(r.source, 'existing');
    assert.equal(r.fingerprint, certFingerprint(ca.certPem));
  }
});

test('--inherit-ca copies the CA of the other context; bad values fail naming them', async (t) => {
  withHome(t);
  saveContext({ name: 'c0', cluster: 'c0', endpoints: ['http://172.30.1.10:2379'] }, false);
  saveContext({ name: 'c1', cluster: 'c1', endpoints: ['http://172.30.2.10:2379'] }, false);
  saveContext({ name: 'c2', cluster: 'c2', endpoints: ['http://172.30.3.10:2379'] }, false);
  await assert.rejects(resolveMeshCa('c1', { mode: 'inherit', context: 'nope' }), (e) => isWeftError(e, 'NotFound') && /--inherit-ca "nope": context "nope" does not exist/.test(e.message));
  await assert.rejects(resolveMeshCa('c1', { mode: 'inherit', context: 'c0' }), (e) => isWeftError(e, 'NotFound') && /--inherit-ca "c0": cluster c0 has no mesh CA/.test(e.message));
  await assert.rejects(resolveMeshCa('c1', { mode: 'inherit', context: 'c1' }), (e) => isWeftError(e, 'InvalidInput') && /"c1" is cluster c1 itself/.test(e.message));

  const ca0 = await createCa();
  writeCa(clusterPkiDir('c0'), ca0);
  const r = await resolveMeshCa('c1', { mode: 'inherit', context: 'c0' });
  assert.equal(r.source, 'inherited');
  assert.equal(r.from, 'c0');
  assert.equal(r.fingerprint, certFingerprint(ca0.certPem));

  // c2 already has a CA of its own: inheriting another one is a conflict.
  writeCa(clusterPkiDir('c2'), await createCa());
  await assert.rejects(resolveMeshCa('c2', { mode: 'inherit', context: 'c0' }), (e) => isWeftError(e, 'Conflict') && /already has a mesh CA/.test(e.message));
  // ... and inheriting the same CA it has is fine.
  writeCa(clusterPkiDir('c1'), ca0);
  assert.equal((await resolveMeshCa('c1', { mode: 'inherit', context: 'c0' })).source, 'existing');
});
