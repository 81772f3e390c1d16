import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NodeIpam } from './ipam.ts';
import { isWeftError } from '../errors.ts';

function tempState(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'weft-ipam-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 'ipam.json');
}

test('allocates from the pod CIDR skipping network, first address and broadcast; idempotent per owner', async (t) => {
  const ipam = new NodeIpam({ cidr: '10.250.1.0/24', stateFile: tempState(t) });
  const a = await ipam.allocate('c1', 'eth0', { podNamespace: 'default', podName: 'p1' });
  assert.equal(a.ip, '10.250.1.2');
  assert.equal(a.podName, 'p1');
  assert.equal((await ipam.allocate('c1', 'eth0')).ip, '10.250.1.2');
  assert.equal((await ipam.allocate('c1', 'net1')).ip, '10.250.1.3');
  assert.equal(ipam.list().length, 2);
});

test('persists before answering and reloads on restart; released addresses are not reused at once', async (t) => {
  const file = tempState(t);
  const ipam = new NodeIpam({ cidr: '10.250.1.0/24', stateFile: file });
  await ipam.allocate('c1', 'eth0');
  await ipam.allocate('c2', 'eth0');
  assert.equal((JSON.parse(readFileSync(file, 'utf8')) as { allocations: unknown[] }).allocations.length, 2);
  assert.equal((await ipam.release('c1', 'eth0'))?.ip, '10.250.1.2');
  assert.equal(await ipam.release('c1', 'eth0'), undefined);
  const again = new NodeIpam({ cidr: '10.250.1.0/24', stateFile: file });
  assert.deepEqual(again.list().map((a) => a.ip), ['10.250.1.3']);
  assert.equal((await again.allocate('c3', 'eth0')).ip, '10.250.1.4');
  assert.deepEqual(readdirSync(path.dirname(file)), ['ipam.json']);
});

test('exhaustion names the CIDR; wraps around to released addresses', async (t) => {
  const ipam = new NodeIpam({ cidr: '10.250.1.0/29', stateFile: tempState(t) });
  const got = [];
  for (let i = 0; i < 5; i++) got.push((await ipam.allocate(`c${i}`, 'eth0')).ip);
  assert.deepEqual(got, ['10.250.1.2', '10.250.1.3', '10.250.1.4', '10.250.1.5', '10.250.1.6']);
  await assert.rejects(ipam.allocate('c9', 'eth0'), (e: unknown) => isWeftError(e, 'PoolExhausted') && e.message.includes('10.250.1.0/29'));
  await ipam.release('c2', 'eth0');
  assert.equal((await ipam.allocate('c9', 'eth0')).ip, '10.250.1.4');
});

test('concurrent allocations never share an address', async (t) => {
  const ipam = new NodeIpam({ cidr: '10.250.1.0/24', stateFile: tempState(t) });
  const all = await Promise.all(Array.from({ length: 40 }, (_, i) => ipam.allocate(`c${i % 30}`, 'eth0')));
  const byOwner = new Map(all.map((a) => [a.containerId, a.ip]));
  assert.equal(new Set(byOwner.values()).size, 30);
  for (const a of all) assert.equal(byOwner.get(a.containerId), a.ip);
});

test('a failed write changes nothing; a corrupt state file is an error, never a reset', async (t) => {
  const file = tempState(t);
  writeFileSync(file, '{"version":1,"cidr":"10.250.1.0/24","allocations":[{"ip":"10.250.1.2","containerId":"a","ifName":"eth0"},{"ip":"10.250.1.2","containerId":"b","ifName":"eth0"}]}');
  assert.throws(() => new NodeIpam({ cidr: '10.250.1.0/24', stateFile: file }), /appears twice/);
  writeFileSync(file, 'garbage');
  assert.throws(() => new NodeIpam({ cidr: '10.250.1.0/24', stateFile: file }), /corrupt/);
  const blocked = path.join(path.dirname(file), 'blocked.json');
  const broken = new NodeIpam({ cidr: '10.250.1.0/24', stateFile: blocked });
  mkdirSync(path.join(blocked, 'x'), { recursive: true }); // rename over a non-empty directory fails
  await assert.rejects(broken.allocate('c1', 'eth0'), /cannot write IPAM state file/);
  assert.equal(broken.list().length, 0);
});
