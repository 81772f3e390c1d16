import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StoredPod } from '../agent/podResource.ts';
import type { PodSource } from '../agent/podSource.ts';
import { podLogLookup } from './kubelet.ts';

const pod: StoredPod = { metadata: { name: 'p', namespace: 'default' }, spec: { nodeName: 'n1', containers: [{ name: 'echo' }] } };
const source: PodSource = {
  values: () => [pod],
  get: (ns, name) => (ns === 'default' && name === 'p' ? pod : undefined),
  isSynced: () => true,
  start: () => undefined,
  close: () => Promise.resolve(),
};

void test('log lookup: the pod log of a known pod and container, else a 404 naming what is missing', () => {
  const lookup = podLogLookup(source, '/state', 'n1');
  assert.deepEqual(lookup.logFile('default', 'p', 'echo'), { file: '/state/pods/default_p.log' });
  assert.deepEqual(lookup.logFile('default', 'q', 'echo'), { notFound: 'pod default/q is not running on node n1' });
  assert.deepEqual(lookup.logFile('default', 'p', 'side'), { notFound: 'container "side" is not in pod default/p (containers: echo)' });
});
