import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStoredPod, toRuntimePod } from './podResource.ts';

void test('the runtime view of a stored pod keeps image, volume mounts and volumes', () => {
  const stored = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'rebel-base-abcde', namespace: 'default', labels: { name: 'rebel-base' }, annotations: {} },
    spec: {
      nodeName: 'n1',
      containers: [{ name: 'rebel-base', image: 'docker.io/nginx:1.15.8', volumeMounts: [{ name: 'html', mountPath: '/usr/share/nginx/html/' }], livenessProbe: { httpGet: { path: '/', port: 80 } } }],
      volumes: [{ name: 'html', configMap: { name: 'rebel-base-response', items: [{ key: 'message', path: 'index.html' }] } }],
    },
  };
  assert.deepEqual(toRuntimePod(parseStoredPod('k', JSON.stringify(stored))), {
    namespace: 'default',
    name: 'rebel-base-abcde',
    containers: [{ name: 'rebel-base', image: 'docker.io/nginx:1.15.8', volumeMounts: [{ name: 'html', mountPath: '/usr/share/nginx/html/' }] }],
    volumes: [{ name: 'html', configMap: { name: 'rebel-base-response', items: [{ key: 'message', path: 'index.html' }] } }],
  });
});
