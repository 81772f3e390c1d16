import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLogRequest, tailLines, withTimestamps } from './logRoute.ts';

const u = (s: string): URL => new URL(s, 'https://10.0.0.1:10250');

void test('the kubectl logs route with its options', () => {
  assert.deepEqual(parseLogRequest(u('/containerLogs/default/echo-1-x/echo?tailLines=10&follow=true')), {
    namespace: 'default',
    pod: 'echo-1-x',
    container: 'echo',
    tailLines: 10,
    follow: true,
    timestamps: false,
  });
  assert.deepEqual(parseLogRequest(u('/containerLogs/ns/p/c?timestamps=true&limitBytes=5')), { namespace: 'ns', pod: 'p', container: 'c', limitBytes: 5, follow: false, timestamps: true });
  assert.equal(parseLogRequest(u('/healthz')), undefined);
});

void test('a malformed route or option is refused naming it', () => {
  assert.throws(() => parseLogRequest(u('/containerLogs/default/p')), /\{namespace\}\/\{pod\}\/\{container\}.*\/containerLogs\/default\/p/);
  assert.throws(() => parseLogRequest(u('/containerLogs/a/b/c?tailLines=-1')), /tailLines must be a non-negative integer, got "-1"/);
});

void test('tail keeps the last lines', () => {
  assert.equal(tailLines('a\nb\nc\n', 2), 'b\nc\n');
  assert.equal(tailLines('a\nb\nc', 1), 'c');
  assert.equal(tailLines('a\nb\n', 5), 'a\nb\n');
  assert.equal(tailLines('a\nb\n', 0), '');
  assert.equal(tailLines('a\nb\n', undefined), 'a\nb\n');
  assert.equal(tailLines('', 3), '');
});

void test('timestamps prefix every line', () => {
  assert.equal(withTimestamps('x\ny\n', new Date('2026-01-01T00:00:00Z')), '2026-01-01T00:00:00.000Z x\n2026-01-01T00:00:00.000Z y\n');
});
