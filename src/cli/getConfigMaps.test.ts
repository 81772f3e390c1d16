import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifests } from '../model/manifest.ts';
import { configMapTable } from './get.ts';

void test('configmaps print like kubectl: NAME DATA AGE', () => {
  const items = parseManifests(`apiVersion: v1
kind: ConfigMap
metadata: {name: rebel-base-response, creationTimestamp: "2025-01-01T00:00:00Z"}
data: {message: hello, other: x}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: empty, creationTimestamp: "2025-01-03T12:00:00Z"}
`);
  assert.deepEqual(configMapTable(items, Date.parse('2025-01-03T13:00:00Z')), {
    header: ['NAME', 'DATA', 'AGE'],
    rows: [['rebel-base-response', '2', '2d13h'], ['empty', '0', '1h']],
  });
});
