import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isWeftError } from '../errors.ts';
import { parseEnviron, podExecTarget, statusUid } from './podExec.ts';

void test('the real uid is read from /proc/<pid>/status text', () => {
  assert.equal(statusUid('Name:\tsh\nUid:\t201234\t201234\t201234\t201234\nGid:\t1\n'), 201234);
  assert.equal(statusUid('Name:\tsh\n'), undefined);
});

void test('environ is split on NUL into a record; values may hold =', () => {
  assert.deepEqual(parseEnviron('A=1\0B=x=y\0\0junk\0'), { A: '1', B: 'x=y' });
});

void test('the exec target is this process when it is listed; a pod with no live process is NotFound', () => {
  const t = podExecTarget('default/p', [2 ** 22 + 7, process.pid]);
  assert.equal(t.pid, process.pid);
  assert.equal(t.uid, process.getuid?.());
  assert.equal(t.env['PATH'], process.env['PATH']);
  assert.throws(() => podExecTarget('default/p', []), (e) => isWeftError(e) && /pod default\/p: none of its processes \(none recorded\)/.test(e.message));
});
