import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import { isTerminal, kubePodMeta, toStoredPod } from './podTranslate.ts';
import { toRuntimePod } from '../agent/podResource.ts';
import { podSpecHash } from '../runtime/podSpec.ts';

const apiPod = (): V1Pod => ({
  metadata: { name: 'echo-1-abc', namespace: 'default', uid: 'u1', labels: { run: 'echo-1' }, resourceVersion: '5' },
  spec: {
    nodeName: 'n1',
    containers: [
      {
        name: 'echo',
        image: 'cilium/json-mock',
        ports: [{ containerPort: 8080, protocol: 'TCP', name: 'http' }],
        env: [{ name: 'A', value: '1' }, { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
        volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg' }, { name: 'default-token-x', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }],
        terminationMessagePath: '/dev/termination-log',
        imagePullPolicy: 'Always',
      },
    ],
    volumes: [{ name: 'cfg', configMap: { name: 'cm', defaultMode: 420 } }, { name: 'default-token-x', secret: { secretName: 'default-token-x' } }, { name: 'scratch', emptyDir: {} }],
    restartPolicy: 'Always',
  },
  status: { phase: 'Pending' },
});

void test('a Kubernetes Pod becomes the runtime pod the standalone path runs', () => {
  const stored = toStoredPod(apiPod());
  assert.deepEqual(stored.metadata, { name: 'echo-1-abc', namespace: 'default', labels: { run: 'echo-1' } });
  assert.equal(stored.spec.nodeName, 'n1');
  const [c] = stored.spec.containers;
  assert.deepEqual(c?.env, [{ name: 'A', value: '1' }]);
  assert.deepEqual(c?.ports, [{ containerPort: 8080, protocol: 'TCP', name: 'http' }]);
  assert.equal(c?.image, 'cilium/json-mock');
  assert.deepEqual(stored.spec.volumes, [{ name: 'cfg', configMap: { name: 'cm', defaultMode: 420 } }, { name: 'default-token-x' }, { name: 'scratch' }]);
});

void test('status, labels and resourceVersion do not change the runtime hash (no restart)', () => {
  const a = apiPod();
  const b = apiPod();
  b.status = { phase: 'Running', podIP: '10.235.1.2' };
  b.metadata = { ...b.metadata, resourceVersion: '9', labels: { run: 'echo-1', extra: 'x' } };
  assert.equal(podSpecHash(toRuntimePod(toStoredPod(a))), podSpecHash(toRuntimePod(toStoredPod(b))));
  const c = apiPod();
  c.spec?.containers[0]?.ports?.push({ containerPort: 9090 });
  assert.notEqual(podSpecHash(toRuntimePod(toStoredPod(a))), podSpecHash(toRuntimePod(toStoredPod(c))));
});

void test('deletion and terminal phases are seen', () => {
  const p = apiPod();
  assert.equal(kubePodMeta(p).deleting, false);
  p.metadata = { ...p.metadata, deletionTimestamp: new Date() };
  assert.equal(kubePodMeta(p).deleting, true);
  assert.equal(isTerminal(p), false);
  p.status = { phase: 'Succeeded' };
  assert.equal(isTerminal(p), true);
});

void test('a pod without a name is refused naming the problem', () => {
  assert.throws(() => kubePodMeta({ metadata: {} }), /no name or namespace/);
});
