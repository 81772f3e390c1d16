import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isWeftError } from '../errors.ts';
import type { RuntimePod } from './podSpec.ts';
import type { ConfigMapData, ConfigMapSource } from './podVolumes.ts';
import { configMapVolumeFiles, materializePodVolumes, podVolumesDir, removePodVolumes } from './podVolumes.ts';

const MESSAGE = '{"Galaxy": "Alderaan", "Cluster": "c1"}\n';

function source(maps: Record<string, ConfigMapData>): ConfigMapSource & { gets: string[] } {
  const gets: string[] = [];
  return { gets, get: (ns, name) => (gets.push(`${ns}/${name}`), Promise.resolve(maps[`${ns}/${name}`])) };
}

const rebelBase: RuntimePod = {
  namespace: 'default',
  name: 'rebel-base-abcde',
  containers: [{ name: 'rebel-base', image: 'docker.io/nginx:1.15.8', volumeMounts: [{ name: 'html', mountPath: '/usr/share/nginx/html/' }] }],
  volumes: [{ name: 'html', configMap: { name: 'rebel-base-response', items: [{ key: 'message', path: 'index.html' }] } }, { name: 'scratch' }],
};

void test('configMap volume files: per key, or per items[].path, with modes', () => {
  const cm = { data: { message: MESSAGE, other: 'x' } };
  assert.deepEqual(configMapVolumeFiles('v', { name: 'cm' }, 'default', cm), [
    { path: 'message', content: MESSAGE, mode: 0o644 },
    { path: 'other', content: 'x', mode: 0o644 },
  ]);
  assert.deepEqual(configMapVolumeFiles('v', { name: 'cm', defaultMode: 0o600, items: [{ key: 'message', path: 'a/index.html' }, { key: 'other', path: 'o', mode: 0o400 }] }, 'default', cm), [
    { path: 'a/index.html', content: MESSAGE, mode: 0o600 },
    { path: 'o', content: 'x', mode: 0o400 },
  ]);
});

void test('a missing ConfigMap or key is VolumeNotReady naming the volume, ConfigMap and key; optional gives an empty volume', () => {
  assert.throws(
    () => configMapVolumeFiles('html', { name: 'rebel-base-response' }, 'default', undefined),
    (err) => isWeftError(err, 'VolumeNotReady') && err.message === 'MountVolume.SetUp failed for volume "html": configmap "rebel-base-response" not found in namespace "default"',
  );
  assert.throws(
    () => configMapVolumeFiles('html', { name: 'cm', items: [{ key: 'mesage', path: 'index.html' }] }, 'default', { data: { message: 'm' } }),
    (err) => isWeftError(err, 'VolumeNotReady') && /has no key "mesage" \(keys: message\)/.test(err.message),
  );
  assert.deepEqual(configMapVolumeFiles('html', { name: 'cm', optional: true }, 'default', undefined), []);
  assert.deepEqual(configMapVolumeFiles('html', { name: 'cm', optional: true, items: [{ key: 'nope', path: 'p' }] }, 'default', { data: {} }), []);
});

void test('materialise writes <state>/pods/<ns>_<pod>.volumes/<volume>/, refreshes edits, removes with the pod', async () => {
  const state = mkdtempSync(path.join(tmpdir(), 'weft-volumes-'));
  try {
    const maps: Record<string, ConfigMapData> = { 'default/rebel-base-response': { data: { message: MESSAGE } } };
    const src = source(maps);
    const dir = podVolumesDir(state, 'default', 'rebel-base-abcde');
    assert.equal(dir, path.join(state, 'pods', 'default_rebel-base-abcde.volumes'));
    assert.equal(await materializePodVolumes(state, rebelBase, src), true);
    assert.deepEqual(src.gets, ['default/rebel-base-response']);
    assert.equal(readFileSync(path.join(dir, 'html', 'index.html'), 'utf8'), MESSAGE);
    assert.equal(statSync(path.join(dir, 'html', 'index.html')).mode & 0o777, 0o644);
    assert.deepEqual(readdirSync(path.join(dir, 'scratch')), []);
    assert.equal(await materializePodVolumes(state, rebelBase, src), false, 'nothing changed, nothing rewritten');

    maps['default/rebel-base-response'] = { data: { message: 'edited\n' } };
    assert.equal(await materializePodVolumes(state, rebelBase, src), true);
    assert.equal(readFileSync(path.join(dir, 'html', 'index.html'), 'utf8'), 'edited\n');

    // Without items a key removed from the ConfigMap disappears from the folder.
    const perKey: RuntimePod = { ...rebelBase, volumes: [{ name: 'all', configMap: { name: 'rebel-base-response' } }] };
    maps['default/rebel-base-response'] = { data: { a: '1', b: '2' } };
    await materializePodVolumes(state, perKey, src);
    maps['default/rebel-base-response'] = { data: { a: '1' } };
    await materializePodVolumes(state, perKey, src);
    assert.deepEqual(readdirSync(path.join(dir, 'all')), ['a']);

    removePodVolumes(state, 'default', 'rebel-base-abcde');
    assert.equal(existsSync(dir), false);
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
});

void test('a missing ConfigMap changes nothing on disk; without a source the pod waits too', async () => {
  const state = mkdtempSync(path.join(tmpdir(), 'weft-volumes-'));
  try {
    await assert.rejects(materializePodVolumes(state, rebelBase, source({})), (err) => isWeftError(err, 'VolumeNotReady') && /configmap "rebel-base-response" not found/.test(err.message));
    assert.equal(existsSync(podVolumesDir(state, 'default', 'rebel-base-abcde')), false);
    await assert.rejects(materializePodVolumes(state, rebelBase, undefined), (err) => isWeftError(err, 'VolumeNotReady') && /no ConfigMap source/.test(err.message));
    // emptyDir-only pods need no source.
    await materializePodVolumes(state, { ...rebelBase, volumes: [{ name: 'scratch' }] }, undefined);
    assert.ok(existsSync(path.join(podVolumesDir(state, 'default', 'rebel-base-abcde'), 'scratch')));
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
});
