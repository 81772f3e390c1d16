import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiException } from '@kubernetes/client-node';
import { apiErrorMessage, labManifestFiles, OPERATOR_RBAC_FILE, readManifests, retryable } from './apply.ts';

test('the operator RBAC: a ClusterRole reading what the operator watches, bound to the user weft-operator', () => {
  const [role, binding] = readManifests(OPERATOR_RBAC_FILE) as [Record<string, unknown>, Record<string, unknown>];
  assert.equal(role['kind'], 'ClusterRole');
  const rules = role['rules'] as { apiGroups: string[]; resources: string[]; verbs: string[] }[];
  const can = (group: string, res: string): boolean => rules.some((r) => r.apiGroups.includes(group) && r.resources.includes(res) && ['get', 'list', 'watch'].every((v) => r.verbs.includes(v)));
  for (const [g, r] of [
    ['', 'services'],
    ['', 'endpoints'],
    ['', 'pods'],
    ['', 'namespaces'],
    ['', 'nodes'],
    ['', 'configmaps'],
    ['discovery.k8s.io', 'endpointslices'],
    ['networking.k8s.io', 'networkpolicies'],
    ['cilium.io', 'ciliumnetworkpolicies'],
  ] as const) {
    assert.ok(can(g, r), `reads ${g}/${r}`);
  }
  assert.ok(rules.every((r) => r.verbs.every((v) => ['get', 'list', 'watch'].includes(v))), 'read-only');
  assert.equal(binding['kind'], 'ClusterRoleBinding');
  assert.deepEqual(binding['subjects'], [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'weft-operator' }]);
});

test('manifests: the CRDs sorted, then the RBAC; a missing CRD folder is fine', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'weft-crds-'));
  try {
    mkdirSync(path.join(dir, 'crds'));
    writeFileSync(path.join(dir, 'crds', 'b.yaml'), 'kind: X\n');
    writeFileSync(path.join(dir, 'crds', 'a.yaml'), 'kind: Y\n');
    writeFileSync(path.join(dir, 'crds', 'notes.md'), '');
    assert.deepEqual(labManifestFiles(path.join(dir, 'crds'), '/r.yaml'), [path.join(dir, 'crds', 'a.yaml'), path.join(dir, 'crds', 'b.yaml'), '/r.yaml']);
    assert.deepEqual(labManifestFiles(path.join(dir, 'none'), '/r.yaml'), ['/r.yaml']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("API errors: the Status message, shortened; invalid objects are not retried, a starting API server is", () => {
  const invalid = new ApiException(422, 'x', JSON.stringify({ kind: 'Status', message: `CRD is invalid: ${'y'.repeat(2000)}` }), {});
  const m = apiErrorMessage(invalid);
  assert.match(m, /^HTTP 422: CRD is invalid: y+…$/);
  assert.ok(m.length < 700);
  assert.equal(retryable(invalid), false);
  assert.equal(retryable(new ApiException(404, 'x', '', {})), true);
  assert.equal(retryable(new ApiException(503, 'x', '', {})), true);
  assert.equal(retryable(new Error('ECONNREFUSED')), true);
});
