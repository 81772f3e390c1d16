import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createCa } from '../pki/ca.ts';
import { issueCertificate } from '../pki/issue.ts';
import { admit, trustBundle } from './authorize.ts';

async function der(ca: Awaited<ReturnType<typeof createCa>>, cn: string): Promise<Buffer> {
  return new X509Certificate((await issueCertificate(ca, { commonName: cn, usages: ['clientAuth'] })).certPem).raw;
}

test('admit: only remote-<cluster> of a connected cluster, signed by the CA its record names', async () => {
  const mesh = await createCa();
  const other = await createCa();
  const connected = new Map([
    ['c2', mesh.certPem],
    ['c3', other.certPem],
  ]);
  assert.deepEqual(admit(await der(mesh, 'remote-c2'), 'c1', connected), { ok: true, remote: 'c2' });
  assert.deepEqual(admit(await der(other, 'remote-c3'), 'c1', connected), { ok: true, remote: 'c3' });
  const refused = async (cn: string, ca = mesh): Promise<string> => {
    const a = admit(await der(ca, cn), 'c1', connected);
    assert.equal(a.ok, false, cn);
    return a.ok ? '' : a.reason;
  };
  assert.match(await refused('remote-c4'), /cluster c4 is not connected to c1/);
  assert.match(await refused('remote-c1'), /this cluster's own remote identity/);
  assert.match(await refused('node-c2'), /CN "node-c2" is not a remote identity/);
  assert.match(await refused('admin-c1'), /not a remote identity/);
  assert.match(await refused('remote'), /not a remote identity/);
  // c3's CA cannot speak for c2 (and the mesh CA not for c3).
  assert.match(await refused('remote-c2', other), /not signed by the CA recorded for cluster c2/);
  assert.match(await refused('remote-c3', mesh), /not signed by the CA recorded for cluster c3/);
  assert.deepEqual(admit(undefined, 'c1', connected), { ok: false, reason: 'no client certificate' });
  assert.deepEqual(admit(Buffer.from('junk'), 'c1', connected), { ok: false, reason: 'the client certificate does not parse' });
});

test('trustBundle: the own mesh CA plus each distinct remote CA, stable order', async () => {
  const mesh = await createCa();
  const other = await createCa();
  const one = trustBundle(mesh.certPem, new Map([['c2', mesh.certPem]]));
  assert.equal(one.split('BEGIN CERTIFICATE').length - 1, 1);
  const two = trustBundle(mesh.certPem, new Map([['c2', mesh.certPem], ['c3', other.certPem]]));
  assert.equal(two.split('BEGIN CERTIFICATE').length - 1, 2);
  assert.equal(two, trustBundle(other.certPem, new Map([['c2', mesh.certPem]])));
});
