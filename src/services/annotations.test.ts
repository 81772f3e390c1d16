import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meshAnnotations, readMeshAnnotations } from './annotations.ts';

void test('defaults: not global, shared, affinity none', () => {
  assert.deepEqual(meshAnnotations({}), { global: false, shared: true, affinity: 'none' });
});

void test('current and legacy spellings, case-insensitive', () => {
  assert.deepEqual(meshAnnotations({ 'service.cilium.io/global': 'true', 'service.cilium.io/shared': 'false', 'service.cilium.io/affinity': 'local' }), { global: true, shared: false, affinity: 'local' });
  assert.deepEqual(meshAnnotations({ 'io.cilium/global-service': 'TRUE', 'io.cilium/shared-service': 'False', 'io.cilium/service-affinity': 'Remote' }), { global: true, shared: false, affinity: 'remote' });
  assert.deepEqual(meshAnnotations({ 'service.cilium.io/global': 'true', 'io.cilium/global-service': 'true' }).global, true);
});

void test('problems name the annotation', () => {
  const { problems } = readMeshAnnotations({ 'service.cilium.io/affinity': 'nearest', 'service.cilium.io/global': 'false', 'io.cilium/global-service': 'true' });
  assert.deepEqual(problems, [
    { key: 'io.cilium/global-service', message: 'contradicts service.cilium.io/global: "false"' },
    { key: 'service.cilium.io/affinity', message: 'must be "local", "remote" or "none"' },
  ]);
});
