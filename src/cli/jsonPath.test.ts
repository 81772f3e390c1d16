import assert from 'node:assert/strict';
import test from 'node:test';
import { renderJsonPath } from './jsonPath.ts';

const svc = { metadata: { name: 'db', labels: { 'app.kubernetes.io/name': 'x' } }, status: { clusterIP: '10.1.2.3', ports: [{ port: 6379 }, { port: 80 }] } };

void test('fields, indexes, wildcards and literal text', () => {
  assert.equal(renderJsonPath('{.status.clusterIP}', svc), '10.1.2.3');
  assert.equal(renderJsonPath('ip={.status.clusterIP}:{.status.ports[0].port}', svc), 'ip=10.1.2.3:6379');
  assert.equal(renderJsonPath('{.status.ports[*].port}', svc), '6379 80');
  assert.equal(renderJsonPath('{.items[*].metadata.name}', { items: [svc, svc] }), 'db db');
  assert.equal(renderJsonPath('{.metadata.labels.app\\.kubernetes\\.io/name}', svc), 'x');
});

void test('a missing field prints nothing', () => {
  assert.equal(renderJsonPath('[{.status.nope}]', svc), '[]');
});

void test('bad templates are errors naming them', () => {
  assert.throws(() => renderJsonPath('{status}', svc), /must start with "\."/);
  assert.throws(() => renderJsonPath('{.a', svc), /unclosed "\{" in "\{\.a"/);
  assert.throws(() => renderJsonPath('{.a[?(@.x)]}', svc), /unsupported subscript/);
});
