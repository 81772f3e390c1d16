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

/** A writer whose writes finish when the test says so. */
function gatedWriter() {
  const writes: { content: string; finish(err?: Error): void }[] = [];
  const writeFile = (_file: string, content: string): Promise<void> =>
    new Promise((resolve, reject) => writes.push({ content, finish: (err) => (err === undefined ? resolve() : reject(err)) }));
  return { writes, writeFile };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

test('group commit: changes made during a write share the next one; each caller hears only once its change is written', async () => {
  const w = gatedWriter();
  const ipam = new NodeIpam({ cidr: '10.250.1.0/24', stateFile: '/unused/ipam.json', writeFile: w.writeFile });
  const settled: string[] = [];
  const all = Array.from({ length: 16 }, (_, i) => ipam.allocate(`c${i}`, 'eth0').then((a) => (settled.push(a.containerId), a)));
  const again = ipam.allocate('c0', 'eth0').then((a) => (settled.push('again'), a));
  await tick();
  assert.equal(w.writes.length, 1, 'the first change is written at once, the others wait for it');
  assert.equal((JSON.parse(w.writes[0]?.content ?? '') as { allocations: unknown[] }).allocations.length, 1);
  w.writes[0]?.finish();
  await tick();
  assert.deepEqual(settled.sort(), ['again', 'c0'], 'the repeated allocate waited for the first write too');
  assert.equal(w.writes.length, 2);
  assert.equal((JSON.parse(w.writes[1]?.content ?? '') as { allocations: unknown[] }).allocations.length, 16, 'one write for the 15 others');
  w.writes[1]?.finish();
  const ips = (await Promise.all(all)).map((a) => a.ip);
  assert.equal(new Set(ips).size, 16);
  assert.equal((await again).ip, ips[0]);
  assert.equal(w.writes.length, 2);
});

test('group commit: a failed write undoes every change not yet written, newest first; callers get the error', async () => {
  const w = gatedWriter();
  // a /30 has a single usable address: a release and a re-allocation of it land in the same write
  const ipam = new NodeIpam({ cidr: '10.250.1.0/30', stateFile: '/unused/ipam.json', writeFile: w.writeFile });
  const a = ipam.allocate('a', 'eth0');
  await tick();
  const released = ipam.release('a', 'eth0');
  const b = ipam.allocate('b', 'eth0');
  assert.equal(ipam.get('b', 'eth0')?.ip, '10.250.1.2');
  w.writes[0]?.finish();
  assert.equal((await a).ip, '10.250.1.2');
  await tick();
  w.writes[1]?.finish(new Error('disk full'));
  await assert.rejects(released, /cannot write IPAM state file \/unused\/ipam\.json: disk full/);
  await assert.rejects(b, /disk full/);
  assert.deepEqual(ipam.list().map((x) => [x.containerId, x.ip]), [['a', '10.250.1.2']], 'back to what is on disk');
  const c = ipam.allocate('c', 'eth0');
  await assert.rejects(c, (e: unknown) => isWeftError(e, 'PoolExhausted'));
});
