import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { isWeftError } from '../errors.ts';
import { entriesOf, kubeconfigEntries, mergeEntries, removeEntries, singleKubeconfig } from './kubeconfig.ts';
import { mergeIntoFile, readKubeconfig, removeFromFile, userKubeconfigPath } from './kubeconfigFile.ts';

const kc1 = kubeconfigEntries({ name: 'kc1', user: 'kc1-admin', server: 'https://172.30.231.10:6443', caPem: 'CA1', certPem: 'CERT1', keyPem: 'KEY1' });
const kc2 = kubeconfigEntries({ name: 'kc2', user: 'kc2-admin', server: 'https://172.30.233.10:6443', caPem: 'CA2', certPem: 'CERT2', keyPem: 'KEY2' });

const USER_FILE = `apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster:
    server: https://prod.example:6443
    insecure-skip-tls-verify: true
users:
- name: me
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: gke-gcloud-auth-plugin
contexts:
- name: prod
  context:
    cluster: prod
    user: me
    namespace: shop
current-context: prod
preferences:
  colors: true
extensions:
- name: x
  extension: {a: 1}
`;

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'weft-kubeconfig-'));
}

test('entries embed base64 CA, client certificate and key; the context joins cluster and user', () => {
  assert.equal(kc1.cluster.cluster['certificate-authority-data'], Buffer.from('CA1').toString('base64'));
  assert.equal(kc1.user.user['client-key-data'], Buffer.from('KEY1').toString('base64'));
  assert.deepEqual(kc1.context, { name: 'kc1', context: { cluster: 'kc1', user: 'kc1-admin' } });
  assert.equal(singleKubeconfig(kc1)['current-context'], 'kc1');
});

test('merge into the user file: unrelated entries and fields untouched, ours added, current-context ours (as kind); file 0600', () => {
  const dir = tempDir();
  try {
    const file = path.join(dir, 'config');
    writeFileSync(file, USER_FILE);
    const before = parse(USER_FILE) as Record<string, unknown[]>;
    mergeIntoFile(file, kc1);
    mergeIntoFile(file, kc2);
    const after = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(after['current-context'], 'kc2');
    assert.deepEqual(after['preferences'], { colors: true });
    assert.deepEqual(after['extensions'], before['extensions']);
    assert.deepEqual((after['clusters'] as unknown[])[0], (before['clusters'] ?? [])[0]);
    assert.deepEqual((after['users'] as unknown[])[0], (before['users'] ?? [])[0]);
    assert.deepEqual((after['contexts'] as unknown[])[0], (before['contexts'] ?? [])[0]);
    assert.deepEqual(
      (after['contexts'] as { name: string }[]).map((c) => c.name),
      ['prod', 'kc1', 'kc2'],
    );
    // merging again replaces, never duplicates
    mergeIntoFile(file, kc1);
    const again = readKubeconfig(file);
    assert.equal((again['clusters'] as unknown[]).length, 3);
    assert.equal(again['current-context'], 'kc1');

    // remove kc1: exactly its three entries; current-context was kc1 → cleared
    assert.deepEqual(removeFromFile(file, kc1).sort(), ['cluster kc1', 'context kc1', 'user kc1-admin']);
    const rm1 = readKubeconfig(file);
    assert.equal(rm1['current-context'], '');
    assert.deepEqual((rm1['contexts'] as { name: string }[]).map((c) => c.name), ['prod', 'kc2']);
    // remove kc2: back to the user's file exactly (but current-context, which the lab had switched)
    removeFromFile(file, kc2);
    const rm2 = readKubeconfig(file);
    assert.deepEqual({ ...rm2, 'current-context': 'prod' }, before);
    assert.deepEqual(removeFromFile(file, kc2), [], 'a second removal removes nothing');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('current-context stays when it is not the removed cluster', () => {
  const doc = mergeEntries(mergeEntries({}, kc1), kc2);
  const { doc: out } = removeEntries(doc, kc1);
  assert.equal(out['current-context'], 'kc2');
});

test('entries of the same name the user changed are left in place', () => {
  let doc = mergeEntries({}, kc1);
  // the user re-pointed cluster kc1 and replaced the user's credentials
  doc = mergeEntries(doc, { ...kc1, cluster: { name: 'kc1', cluster: { server: 'https://elsewhere:6443', 'certificate-authority-data': 'x' } }, user: { name: 'kc1-admin', user: { token: 't' } } });
  const { doc: out, removed } = removeEntries(doc, kc1);
  assert.deepEqual(removed, ['context kc1']);
  assert.equal((out['clusters'] as unknown[]).length, 1);
  assert.equal((out['users'] as unknown[]).length, 1);
});

test('entriesOf finds what was merged; a missing file is created on merge and left missing on removal', () => {
  const dir = tempDir();
  try {
    const file = path.join(dir, 'sub', 'config');
    assert.deepEqual(removeFromFile(file, kc1), []);
    assert.equal(existsSync(file), false);
    mergeIntoFile(file, kc1);
    assert.deepEqual(entriesOf(readKubeconfig(file), 'kc1'), kc1);
    assert.equal(entriesOf(readKubeconfig(file), 'nope'), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a kubeconfig that is not a mapping, or with a non-list section, is refused naming the file', () => {
  const dir = tempDir();
  try {
    const file = path.join(dir, 'config');
    writeFileSync(file, '- a\n- b\n');
    assert.throws(() => mergeIntoFile(file, kc1), (e) => isWeftError(e) && e.message.includes(file));
    writeFileSync(file, 'clusters: 3\n');
    assert.throws(() => mergeIntoFile(file, kc1), (e) => isWeftError(e) && e.message.includes(file) && /"clusters" is not a list/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the user's kubeconfig: $KUBECONFIG's first non-empty entry, else ~/.kube/config", () => {
  assert.equal(userKubeconfigPath({ KUBECONFIG: '/a/one:/b/two' }, '/home/u'), '/a/one');
  assert.equal(userKubeconfigPath({ KUBECONFIG: ':/b/two' }, '/home/u'), '/b/two');
  assert.equal(userKubeconfigPath({}, '/home/u'), '/home/u/.kube/config');
  assert.equal(userKubeconfigPath({ KUBECONFIG: '' }, '/home/u'), '/home/u/.kube/config');
});
