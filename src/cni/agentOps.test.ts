import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isWeftError } from '../errors.ts';
import { silentLogger } from '../util/log.ts';
import { createAgentResponder, inProcessAgentClient } from './agentOps.ts';
import type { CniDelEvent } from './agentOps.ts';
import { CniCode, toCniErrorResult } from './codes.ts';
import { NodeIpam } from './ipam.ts';

function setup(t: { after(fn: () => void): void }, cidr = '10.250.1.0/24') {
  const dir = mkdtempSync(path.join(tmpdir(), 'weft-agentops-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const ipam = new NodeIpam({ cidr, stateFile: path.join(dir, 'ipam.json') });
  const deleted: CniDelEvent[] = [];
  const respond = createAgentResponder({ ipam, onAdd: () => Promise.resolve(), onDel: (ev) => (deleted.push(ev), Promise.resolve()) }, silentLogger);
  return { ipam, deleted, respond, client: inProcessAgentClient(respond, '/run/w.sock') };
}

test('the in-process client answers like the socket: plain data, agent errors with their codes', async (t) => {
  const s = setup(t);
  const a = await s.client.allocate({ containerId: 'c1', ifName: 'eth0', podNamespace: 'default', podName: 'p1' });
  assert.equal(a.ip, '10.250.1.2');
  assert.notEqual(a, s.ipam.get('c1', 'eth0'), 'a copy, not the IPAM record');
  const ep = { containerId: 'c1', ifName: 'eth0', netns: '/x', podNamespace: 'default', podName: 'p1', ip: '10.250.1.9', hostVeth: 'wf1' };
  await assert.rejects(s.client.register(ep), (e: unknown) => isWeftError(e, 'Conflict') && e.message.includes('10.250.1.9'));
  await s.client.register({ ...ep, ip: a.ip });
  assert.equal((await s.client.del({ containerId: 'c1', ifName: 'eth0' }))?.ip, a.ip);
  assert.deepEqual(s.deleted, [{ containerId: 'c1', ifName: 'eth0', podNamespace: 'default', podName: 'p1', ip: a.ip }]);
  assert.equal(await s.client.get('c1', 'eth0'), undefined);
});

test('the responder validates requests and never throws', async (t) => {
  const s = setup(t, '10.250.1.0/30');
  assert.deepEqual(await s.respond({ op: 'nope' }), { ok: false, error: { code: 'InvalidInput', message: 'invalid CNI request: unknown op "nope"' } });
  await s.client.allocate({ containerId: 'c1', ifName: 'eth0' });
  const err = await s.client.allocate({ containerId: 'c2', ifName: 'eth0' }).then(
    () => assert.fail('expected exhaustion'),
    (e: unknown) => toCniErrorResult(e, '1.0.0'),
  );
  assert.equal(err.code, CniCode.PoolExhausted);
});

test('allocate says whether it created the address; a release naming another address frees nothing', async (t) => {
  const s = setup(t);
  const a = await s.client.allocate({ containerId: 'c1', ifName: 'eth0' });
  assert.deepEqual([a.ip, a.created], ['10.250.1.2', true]);
  const again = await s.client.allocate({ containerId: 'c1', ifName: 'eth0' });
  assert.deepEqual([again.ip, again.created], ['10.250.1.2', false], 'the pair already held it');
  assert.equal(await s.client.release('c1', 'eth0', '10.250.1.3'), undefined, 'not the address the pair holds');
  assert.equal(s.ipam.get('c1', 'eth0')?.ip, '10.250.1.2');
  assert.equal(await s.client.release('c2', 'eth0', '10.250.1.2'), undefined, 'not the pair that holds it');
  assert.equal(s.ipam.get('c1', 'eth0')?.ip, '10.250.1.2');
  assert.equal((await s.client.release('c1', 'eth0', '10.250.1.2'))?.ip, '10.250.1.2');
  assert.equal(s.ipam.get('c1', 'eth0'), undefined);
});

test('concurrent allocates for one pair: exactly one created', async (t) => {
  const s = setup(t);
  const answers = await Promise.all([0, 1, 2].map(() => s.client.allocate({ containerId: 'c1', ifName: 'eth0' })));
  assert.deepEqual(answers.map((a) => a.created).sort(), [false, false, true]);
  assert.equal(new Set(answers.map((a) => a.ip)).size, 1);
});
