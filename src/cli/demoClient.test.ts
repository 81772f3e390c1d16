import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterIpOf, itemsOf } from './demoClient.ts';
import { DEMO_CLUSTERS, KUBE_DEMO_CLUSTERS } from './demo.ts';

void test('itemsOf: a kubectl List (items) and a weft array give the same objects', () => {
  assert.deepEqual(itemsOf('{"apiVersion":"v1","kind":"List","items":[{"a":1},{"a":2}]}'), [{ a: 1 }, { a: 2 }]);
  assert.deepEqual(itemsOf('[{"a":1}]'), [{ a: 1 }]);
  assert.deepEqual(itemsOf('{"kind":"List"}'), []);
});

void test('clusterIpOf: spec.clusterIP (kubectl) or status.clusterIP (weft); none for headless or not yet allocated', () => {
  assert.equal(clusterIpOf({ spec: { clusterIP: '10.183.0.7' } }), '10.183.0.7');
  assert.equal(clusterIpOf({ spec: {}, status: { clusterIP: '10.101.1.1' } }), '10.101.1.1');
  assert.equal(clusterIpOf({ spec: { clusterIP: '' }, status: { clusterIP: '10.101.1.1' } }), '10.101.1.1');
  assert.equal(clusterIpOf({ spec: { clusterIP: 'None' } }), undefined);
  assert.equal(clusterIpOf({ status: null }), undefined);
  assert.equal(clusterIpOf(undefined), undefined);
});

void test('weft demo --kubernetes uses names and ids of its own, so it runs beside the standalone demo', () => {
  const names = new Set(DEMO_CLUSTERS.map((c) => c.name));
  const ids = new Set(DEMO_CLUSTERS.map((c) => c.id));
  for (const c of KUBE_DEMO_CLUSTERS) {
    assert.ok(!names.has(c.name) && !ids.has(c.id), `${c.name} ${c.id}`);
    assert.ok(!DEMO_CLUSTERS.some((d) => d.podCidr === c.podCidr || d.serviceCidr === c.serviceCidr), c.name);
  }
});
