import { manifestFailure } from './testFixtures.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifests } from './manifest.ts';
import { isRelativeVolumePath, normalizeMountPath } from './volumes.ts';
import { seed002Apps } from '../../test/support/seed002.ts';

/** seed 002's rebel-base Deployment, verbatim (the first document of the seed's manifest). */
const REBEL_BASE = seed002Apps('c1').split('\n---\n')[0] ?? '';


void test("seed 002's rebel-base keeps its volumes, mounts and probes", () => {
  const [d] = parseManifests(REBEL_BASE);
  assert.ok(d?.kind === 'Deployment');
  const spec = d.spec.template.spec;
  assert.deepEqual(spec.volumes, [{ name: 'html', configMap: { name: 'rebel-base-response', items: [{ key: 'message', path: 'index.html' }] } }]);
  assert.deepEqual(spec.containers[0]?.volumeMounts, [{ name: 'html', mountPath: '/usr/share/nginx/html/' }]);
  assert.ok(spec.containers[0]?.livenessProbe !== undefined && spec.containers[0].readinessProbe !== undefined);
});

void test('emptyDir and a volume without a type (an emptyDir) are accepted', () => {
  const text = REBEL_BASE.replace('      volumes:\n', '      volumes:\n        - name: scratch\n          emptyDir: {}\n        - name: bare\n');
  const [d] = parseManifests(text);
  assert.ok(d?.kind === 'Deployment');
  assert.deepEqual(d.spec.template.spec.volumes?.slice(0, 2), [{ name: 'scratch', emptyDir: {} }, { name: 'bare' }]);
});

void test('a mount naming an unknown volume is rejected naming it and the known volumes', () => {
  const msg = manifestFailure(REBEL_BASE.replace('          - name: html\n            mountPath', '          - name: htlm\n            mountPath'));
  assert.match(msg, /spec\.template\.spec\.containers\[0\]\.volumeMounts\[0\]\.name: no volume named "htlm" in spec\.volumes \(volumes: html\), got "htlm"/);
});

void test('unsupported volume types are rejected naming the type', () => {
  const msg = manifestFailure(REBEL_BASE.replace('        - name: html\n          configMap:', '        - name: data\n          hostPath: {path: /data}\n        - name: html\n          configMap:'));
  assert.match(msg, /volumes\[0\]\.hostPath: volume type "hostPath" is not supported by Weft \(supported: configMap, emptyDir\), got \{"path":"\/data"\}/);
  assert.match(manifestFailure(REBEL_BASE.replace('          configMap:\n', '          secret: {secretName: s}\n          configMap:\n')), /volume type "secret" is not supported/);
  assert.match(manifestFailure(REBEL_BASE.replace('          configMap:\n', '          emptyDir: {}\n          configMap:\n')), /exactly one type/);
});

void test('duplicate volumes, duplicate mount paths, bad paths and keys are rejected', () => {
  assert.match(manifestFailure(REBEL_BASE.replace('      volumes:\n', '      volumes:\n        - {name: html, emptyDir: {}}\n')), /volumes\[1\]\.name: duplicate volume name \(also volumes\[0\]\)/);
  assert.match(manifestFailure(REBEL_BASE.replace('            mountPath: /usr/share/nginx/html/\n', '            mountPath: /usr/share/nginx/html/\n          - {name: html, mountPath: /usr/share/nginx/html}\n')), /volumeMounts\[1\]\.mountPath: duplicate mount path/);
  assert.match(manifestFailure(REBEL_BASE.replace('mountPath: /usr/share/nginx/html/', 'mountPath: usr/share')), /mountPath: must be an absolute path/);
  assert.match(manifestFailure(REBEL_BASE.replace('path: index.html', 'path: ../index.html')), /items\[0\]\.path: must be a relative path/);
  assert.match(manifestFailure(REBEL_BASE.replace('key: message', 'key: "no/slash"')), /items\[0\]\.key: must be a ConfigMap key/);
  assert.match(manifestFailure(REBEL_BASE.replace('            mountPath:', '            subPathExpr: $(POD)\n            mountPath:')), /subPathExpr: unknown field/);
});

void test('path helpers', () => {
  assert.equal(normalizeMountPath('/usr/share/nginx/html/'), '/usr/share/nginx/html');
  assert.equal(normalizeMountPath('//a//b/'), '/a/b');
  assert.equal(normalizeMountPath('/'), '/');
  assert.ok(isRelativeVolumePath('conf/index.html'));
  for (const bad of ['', '/abs', 'a/../b', 'a//b', '..']) assert.equal(isRelativeVolumePath(bad), false, bad);
});
