import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exec } from '../util/exec.ts';
import { IpSession, IpSessionPool } from './ipSession.ts';

// batches that print nothing on success and need no privileges: no link is in group 4242
const QUIET = 'link show group 4242\n';

test('batches run one after another in one long-lived ip', async (t) => {
  const s = new IpSession({ argv: ['ip', '-o', '-batch', '-'] });
  t.after(() => s.close());
  await s.run(QUIET);
  const pid = s.pid;
  assert.ok(pid !== undefined);
  await Promise.all([s.run(QUIET + QUIET), s.run(QUIET)]);
  assert.equal(s.pid, pid);
});

test('a failing line fails the batch with the message of a one-shot `ip -batch -`; the next batch gets a new ip', async (t) => {
  const s = new IpSession({ argv: ['ip', '-o', '-batch', '-'], name: 'ip -batch -' });
  t.after(() => s.close());
  await s.run(QUIET + QUIET); // the failing line below is the batch's 2nd, the process's 5th
  const pid = s.pid;
  const batch = `${QUIET}link set dev wf-nope up\n${QUIET}`;
  const oneShot = await exec('ip', ['-batch', '-'], { input: batch }).then(
    () => assert.fail('expected a failure'),
    (e: Error) => e.message,
  );
  await assert.rejects(s.run(batch), (e: Error) => e.message === oneShot);
  assert.match(oneShot, /Cannot find device "wf-nope"\nCommand failed -:2$/);
  await s.run(QUIET);
  assert.notEqual(s.pid, pid);
});

test('close ends the process after the queued batches; later batches are refused', async () => {
  const s = new IpSession({ argv: ['ip', '-o', '-batch', '-'] });
  const queued = s.run(QUIET);
  await s.close();
  await queued;
  assert.equal(s.pid, undefined);
  await assert.rejects(s.run(QUIET), /is closed/);
});

test('an idle session ends its process; the pool keeps one session per key, at most max', async () => {
  const s = new IpSession({ argv: ['ip', '-o', '-batch', '-'], idleTimeoutMs: 20 });
  await s.run(QUIET);
  for (let i = 0; i < 100 && s.pid !== undefined; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(s.pid, undefined);
  await s.run(QUIET);
  await s.close();

  const pool = new IpSessionPool(2);
  const opts = { argv: ['ip', '-o', '-batch', '-'] } as const;
  const a = pool.get('a', opts);
  await a.run(QUIET);
  const session = pool.peek('a');
  await pool.get('a', opts).run(QUIET);
  assert.equal(pool.peek('a'), session);
  await pool.get('b', opts).run(QUIET);
  await pool.get('c', opts).run(QUIET); // evicts a, the least recently used
  assert.equal(pool.peek('a'), undefined);
  await a.run(QUIET); // a runner handed out before the eviction gets a new session
  assert.notEqual(pool.peek('a'), session);
  assert.equal(pool.peek('b'), undefined, 'and b made room for it');
  await pool.close();
  await assert.rejects(a.run(QUIET), /is closed/);
  assert.equal(pool.peek('a'), undefined);
});

test('a session started again uses the argv of the batch that needs it (the caller whose /proc path is alive)', async (t) => {
  const pool = new IpSessionPool();
  t.after(() => pool.close());
  const gone = pool.get('ns', { argv: ['nsenter', '--net=/proc/999999999/ns/net', 'ip', '-o', '-batch', '-'], name: 'ip -batch -' });
  await assert.rejects(gone.run(QUIET), /ip -batch - failed \(exit 1\): nsenter: cannot open \/proc\/999999999/);
  await pool.get('ns', { argv: ['nsenter', `--net=/proc/${process.pid}/ns/net`, 'ip', '-o', '-batch', '-'] }).run(QUIET);
});
