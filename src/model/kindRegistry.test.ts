import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isWeftError } from '../errors.ts';
import { displayName, findKind, keyOfResource, resolveKindName } from './kindRegistry.ts';
import { parseManifests } from './manifest.ts';
import { DEPLOYMENT_YAML, NAMESPACE_YAML } from './testFixtures.ts';

void test('command-line names resolve to kinds', () => {
  for (const [name, plural] of [['po', 'pods'], ['Pod', 'pods'], ['deploy', 'deployments'], ['deployment.apps', 'deployments'], ['ds', 'daemonsets'], ['sts', 'statefulsets'], ['ns', 'namespaces']]) {
    assert.equal(resolveKindName(name ?? '').plural, plural, name);
  }
  assert.throws(() => resolveKindName('widgets'), (err) => isWeftError(err, 'UnknownKind') && /widgets/.test(err.message));
});

void test('lookup by apiVersion and kind', () => {
  assert.equal(findKind('apps/v1', 'DaemonSet')?.plural, 'daemonsets');
  assert.equal(findKind('v1', 'Deployment'), undefined);
});

void test('keys and kubectl names', () => {
  const [ns, d] = parseManifests(`${NAMESPACE_YAML}---\n${DEPLOYMENT_YAML}`);
  assert.ok(ns && d);
  assert.equal(keyOfResource(ns), 'weft/resources/namespaces/_/team-a');
  assert.equal(keyOfResource(d), 'weft/resources/deployments/team-a/web');
  assert.equal(displayName(ns), 'namespace/team-a');
  assert.equal(displayName(d), 'deployment.apps/web');
});
