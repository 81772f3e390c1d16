import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalLabels, identityLabels, labelsHash, labelStrings } from './labels.ts';

test('identity labels: pod labels minus non-security ones, namespace, cluster and namespace labels', () => {
  const labels = identityLabels({
    cluster: 'cluster1',
    namespace: 'istio-space',
    podLabels: { app: 'employee', 'pod-template-hash': 'abc', 'controller-revision-hash': 'x', 'statefulset.kubernetes.io/pod-name': 'db-0', 'pod-template-generation': '2' },
    namespaceLabels: { team: 'blue', 'kubernetes.io/metadata.name': 'istio-space' },
  });
  assert.deepEqual(labels, {
    app: 'employee',
    'io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name': 'istio-space',
    'io.cilium.k8s.namespace.labels.team': 'blue',
    'io.cilium.k8s.policy.cluster': 'cluster1',
    'io.kubernetes.pod.namespace': 'istio-space',
  });
  assert.deepEqual(Object.keys(labels), Object.keys(labels).sort());
});

test('identity labels: a namespace without an object still gets its metadata.name label; Weft keys win', () => {
  const labels = identityLabels({ cluster: 'c1', namespace: 'default', podLabels: { 'io.kubernetes.pod.namespace': 'evil', 'io.cilium.k8s.policy.cluster': 'c9' } });
  assert.deepEqual(labels, {
    'io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name': 'default',
    'io.cilium.k8s.policy.cluster': 'c1',
    'io.kubernetes.pod.namespace': 'default',
  });
});

test('canonical text and hash ignore key order and tell different sets apart', () => {
  assert.equal(canonicalLabels({ b: '2', a: '1' }), canonicalLabels({ a: '1', b: '2' }));
  assert.equal(labelsHash({ b: '2', a: '1' }), labelsHash({ a: '1', b: '2' }));
  assert.match(labelsHash({ a: '1' }), /^[0-9a-f]{64}$/);
  assert.notEqual(labelsHash({ a: '1' }), labelsHash({ a: '2' }));
  // No ambiguity between keys and values that contain separators.
  assert.notEqual(labelsHash({ 'a=b': 'c' }), labelsHash({ a: 'b=c' }));
  assert.notEqual(labelsHash({ a: '1,b=2' }), labelsHash({ a: '1', b: '2' }));
  assert.deepEqual(labelStrings({ b: '2', a: '1' }, 'k8s:'), ['k8s:a=1', 'k8s:b=2']);
});
