import { test } from 'node:test';
import assert from 'node:assert/strict';
import { curlArgs, describeResult, probe, quoteCommand, resolvedAddresses, servedBy } from './probe.ts';
import type { TestPod } from './probe.ts';

const ECHO = 'Request served by echo-other-node\n\nPod: echo-other-node\nNamespace: weft-test\nNode: n2\nCluster: c1\n\nGET / HTTP/1.1\n';

test('servedBy reads the echo server answer', () => {
  assert.deepEqual(servedBy(ECHO), { pod: 'echo-other-node', cluster: 'c1' });
  assert.equal(servedBy('<html>nginx</html>'), undefined);
});

test('resolvedAddresses reads getent hosts output', () => {
  assert.deepEqual(resolvedAddresses('10.71.0.5       echo.weft-test.svc.cluster.local\n'), ['10.71.0.5']);
  assert.deepEqual(resolvedAddresses(''), []);
});

test('describeResult says who answered, or the exit code and error', () => {
  assert.equal(describeResult({ code: 0, stdout: ECHO, stderr: '' }), 'exit 0: served by echo-other-node in cluster c1');
  assert.equal(describeResult({ code: 28, stdout: '', stderr: 'curl: (28) Connection timed out after 2001 milliseconds\n' }), 'exit 28 (timed out): curl: (28) Connection timed out after 2001 milliseconds');
});

test('curl is bounded; commands are shown quoted as typed', () => {
  assert.deepEqual(curlArgs('http://10.0.0.1:8080/', 2), ['curl', '-sS', '--connect-timeout', '2', '--max-time', '2', 'http://10.0.0.1:8080/']);
  assert.equal(quoteCommand(['getent', 'hosts', "a b'c"]), `getent hosts 'a b'\\''c'`);
});

test('probe records the action with the pod it ran in', async () => {
  const from: TestPod = { name: 'client', namespace: 'weft-test', context: 'c1', cluster: 'c1', node: 'n1', ip: '10.1.0.2', netns: 'wf-x' };
  const seen: string[][] = [];
  const { record } = await probe((pod, argv) => {
    seen.push([pod.netns, ...argv]);
    return Promise.resolve({ code: 0, stdout: ECHO, stderr: '' });
  }, from, ['curl', 'http://10.1.1.2:8080/'], 'echo-other-node', (r) => r.code === 0);
  assert.deepEqual(seen, [['wf-x', 'curl', 'http://10.1.1.2:8080/']]);
  assert.deepEqual(record, { description: 'client (10.1.0.2) → echo-other-node', command: 'weft --context c1 exec -n weft-test client -- curl http://10.1.1.2:8080/', ok: true, output: 'exit 0: served by echo-other-node in cluster c1', attempts: 1 });
});
