import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NodeIpam } from './ipam.ts';
import { startCniServer } from './server.ts';
import type { CniDelEvent, CniEndpoint } from './server.ts';
import { connectAgent } from './client.ts';
import { isWeftError } from '../errors.ts';
import { toCniErrorResult, CniCode } from './codes.ts';

async function setup(t: { after(fn: () => Promise<void> | void): void }, cidr = '10.250.1.0/24') {
  const dir = mkdtempSync(path.join(tmpdir(), 'weft-cnisrv-'));
  const ipam = new NodeIpam({ cidr, stateFile: path.join(dir, 'ipam.json') });
  const added: CniEndpoint[] = [];
  const deleted: CniDelEvent[] = [];
  const socketPath = path.join(dir, 'run', 'cni.sock');
  let failAdd = false;
  const server = await startCniServer({
    socketPath,
    ipam,
    onAdd: (ep) => (failAdd ? Promise.reject(new Error('agent says no')) : (added.push(ep), Promise.resolve())),
    onDel: (ev) => (deleted.push(ev), Promise.resolve()),
  });
  t.after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, ipam, added, deleted, socketPath, server, setFailAdd: (v: boolean) => (failAdd = v) };
}

test('allocate, register, get, del over the socket', async (t) => {
  const s = await setup(t);
  const c = await connectAgent(s.socketPath);
  t.after(() => c.close());
  const a = await c.allocate({ containerId: 'c1', ifName: 'eth0', podNamespace: 'default', podName: 'p1' });
  assert.equal(a.ip, '10.250.1.2');
  const ep = { containerId: 'c1', ifName: 'eth0', netns: '/x', podNamespace: 'default', podName: 'p1', ip: a.ip, hostVeth: 'wf00000000000' };
  await c.register(ep);
  assert.deepEqual(s.added, [ep]);
  assert.equal((await c.get('c1', 'eth0'))?.ip, a.ip);
  assert.equal((await c.del({ containerId: 'c1', ifName: 'eth0' }))?.ip, a.ip);
  assert.deepEqual(s.deleted, [{ containerId: 'c1', ifName: 'eth0', podNamespace: 'default', podName: 'p1', ip: a.ip }]);
  assert.equal(await c.del({ containerId: 'c1', ifName: 'eth0' }), undefined, 'a second DEL succeeds with nothing to release');
  await c.status();
});

test('register of an address the container does not hold is refused; onAdd failures come back', async (t) => {
  const s = await setup(t);
  const c = await connectAgent(s.socketPath);
  t.after(() => c.close());
  const ep = { containerId: 'c1', ifName: 'eth0', netns: '/x', podNamespace: '', podName: '', ip: '10.250.1.9', hostVeth: 'wf1' };
  await assert.rejects(c.register(ep), (e: unknown) => isWeftError(e, 'Conflict') && e.message.includes('10.250.1.9'));
  const a = await c.allocate({ containerId: 'c1', ifName: 'eth0' });
  s.setFailAdd(true);
  await assert.rejects(c.register({ ...ep, ip: a.ip }), /agent says no/);
});

test('pool exhaustion reaches the plugin as CNI code 100 naming the CIDR', async (t) => {
  const s = await setup(t, '10.250.1.0/30');
  const c = await connectAgent(s.socketPath);
  t.after(() => c.close());
  await c.allocate({ containerId: 'c1', ifName: 'eth0' });
  const err = await c.allocate({ containerId: 'c2', ifName: 'eth0' }).then(
    () => assert.fail('expected exhaustion'),
    (e: unknown) => toCniErrorResult(e, '1.0.0'),
  );
  assert.equal(err.code, CniCode.PoolExhausted);
  assert.match(err.msg, /10\.250\.1\.0\/30/);
});

test('gc releases everything not valid, with host veth names', async (t) => {
  const s = await setup(t);
  const c = await connectAgent(s.socketPath);
  t.after(() => c.close());
  await c.allocate({ containerId: 'keep', ifName: 'eth0' });
  await c.allocate({ containerId: 'stale', ifName: 'eth0' });
  const released = await c.gc([{ containerId: 'keep', ifName: 'eth0' }]);
  assert.deepEqual(released.map((r) => r.containerId), ['stale']);
  assert.match(released[0]?.hostVeth ?? '', /^wf[0-9a-f]{11}$/);
  assert.deepEqual(s.ipam.list().map((a) => a.containerId), ['keep']);
  assert.equal(s.deleted.length, 1);
});

test('invalid lines get an error answer; the connection stays usable', async (t) => {
  const s = await setup(t);
  const sock = net.createConnection(s.socketPath);
  t.after(() => sock.destroy());
  sock.setEncoding('utf8');
  const lines: string[] = [];
  sock.on('data', (d: string) => lines.push(...d.split('\n').filter((l) => l !== '')));
  sock.write('not json\n{"op":"nope"}\n{"op":"allocate","containerId":""}\n{"op":"status"}\n');
  for (let i = 0; i < 100 && lines.length < 4; i++) await new Promise((r) => setTimeout(r, 10));
  const answers = lines.map((l) => JSON.parse(l) as { ok: boolean; error?: { message: string } });
  assert.deepEqual(answers.map((a) => a.ok), [false, false, false, true]);
  assert.match(answers[2]?.error?.message ?? '', /containerId/);
});

test('an unreachable agent is CNI code 11 naming the socket; close removes the socket', async (t) => {
  const s = await setup(t);
  await s.server.close();
  assert.ok(!existsSync(s.socketPath));
  const err = await connectAgent(s.socketPath).then(
    () => assert.fail('expected unreachable'),
    (e: unknown) => toCniErrorResult(e, '1.0.0'),
  );
  assert.equal(err.code, CniCode.TryAgainLater);
  assert.ok(err.msg.includes(s.socketPath));
});
