import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeInvokeAnswer, isInvokeRequest, parseAllocateAnswer, parseInvokeRequest, parseRequest } from './protocol.ts';

test('invoke requests: validated, only CNI_* variables kept', () => {
  const raw = { op: 'invoke', pid: 12, netns: 'net:[1]', mntns: 'mnt:[1]', via: '/run/w.sock', env: { CNI_COMMAND: 'ADD', HOME: '/root' }, stdin: '{}' };
  assert.ok(isInvokeRequest(raw));
  assert.ok(!isInvokeRequest({ op: 'status' }));
  assert.deepEqual(parseInvokeRequest(raw), { ...raw, env: { CNI_COMMAND: 'ADD' } });
  assert.throws(() => parseInvokeRequest({ ...raw, pid: 0 }), /"pid" must be a positive integer, got 0/);
  assert.throws(() => parseInvokeRequest({ ...raw, stdin: 3 }), /"stdin" must be a string, got 3/);
  assert.throws(() => parseInvokeRequest({ ...raw, env: { CNI_ARGS: 1 } }), /env CNI_ARGS must be a string, got 1/);
  assert.throws(() => parseRequest(raw), /unknown op "invoke"/, 'not one of the line ops');
});

test('invoke answers are framed in bytes: header, stdout, stderr; or delegate', () => {
  const out = encodeInvokeAnswer({ code: 1, stdout: '{"msg":"é"}\n', stderr: 'weft-cni: ✗\n' });
  const text = out.toString('utf8');
  assert.ok(text.startsWith('1 13 14\n'), text);
  assert.equal(out.length, '1 13 14\n'.length + 13 + 14);
  assert.equal(encodeInvokeAnswer({ code: 0, stdout: '', stderr: '' }).toString(), '0 0 0\n');
  assert.equal(encodeInvokeAnswer('delegate').toString(), 'delegate\n');
});

test('allocate answers need a boolean created; release takes an optional ip', () => {
  assert.deepEqual(parseAllocateAnswer({ ip: '10.0.0.2', containerId: 'c', ifName: 'eth0', created: false }), { ip: '10.0.0.2', containerId: 'c', ifName: 'eth0', created: false });
  assert.throws(() => parseAllocateAnswer({ ip: '10.0.0.2', containerId: 'c', ifName: 'eth0' }), /without a boolean "created"/);
  assert.deepEqual(parseRequest({ op: 'release', containerId: 'c', ifName: 'eth0', ip: '10.0.0.2' }), { op: 'release', containerId: 'c', ifName: 'eth0', ip: '10.0.0.2' });
  assert.throws(() => parseRequest({ op: 'release', containerId: 'c', ifName: 'eth0', ip: 7 }), /release field "ip" must be a string/);
});
