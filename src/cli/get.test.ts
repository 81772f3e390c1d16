import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifests } from '../model/manifest.ts';
import { serviceTable } from './get.ts';

const ECHO = `apiVersion: v1
kind: Service
metadata: {name: echo-1, creationTimestamp: "2025-01-01T00:00:00Z"}
spec:
  ports: [{name: http, port: 80, targetPort: 8080}, {name: dns, port: 53, protocol: UDP}]
  selector: {run: echo-1}
`;

void test('services print like kubectl: NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE [SELECTOR]', () => {
  const items = parseManifests(ECHO);
  const now = Date.parse('2025-01-03T13:00:00Z');
  const states = new Map([['default/echo-1', { name: 'echo-1', namespace: 'default', cluster: 'c1', clusterIP: '10.101.1.1', ports: [], backends: [], global: false, shared: true, affinity: 'none' as const }]]);
  assert.deepEqual(serviceTable(items, states, true, now), {
    header: ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', 'SELECTOR'],
    rows: [['echo-1', 'ClusterIP', '10.101.1.1', '<none>', '80/TCP,53/UDP', '2d13h', 'run=echo-1']],
  });
  assert.deepEqual(serviceTable(items, new Map(), false, now).rows, [['echo-1', 'ClusterIP', '<pending>', '<none>', '80/TCP,53/UDP', '2d13h']]);
});
