/**
 * The thin executable bin/cni/weft (perl) against a real CNI server with a
 * fake PodNetwork: it forwards environment and stdin verbatim, prints the
 * agent's answer with its exit code, and whenever it cannot forward it runs
 * the full plugin, whose output it then is. No root needed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NodeIpam } from './ipam.ts';
import { startCniServer } from './server.ts';
import type { CniEndpoint } from './server.ts';
import { FULL_PLUGIN, THIN_PLUGIN } from './testNode.ts';
import type { PodNetwork } from './wire.ts';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, env: Record<string, string>, stdin: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, [], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdin);
  });
}

function fakeNet(): PodNetwork & { wired: Set<string> } {
  const wired = new Set<string>();
  return {
    wired,
    wire: (plan) => (wired.add(plan.hostVeth), Promise.resolve()),
    unwire: (hostVeth) => Promise.resolve(wired.delete(hostVeth)),
    observe: () => Promise.resolve({ host: { links: [], routes: [] }, pod: { links: [], routes: [] } }),
  };
}

async function setup(t: { after(fn: () => Promise<void>): void }) {
  const dir = mkdtempSync(path.join(tmpdir(), 'weft-thin-'));
  const socket = path.join(dir, 'cni.sock');
  const fake = fakeNet();
  const added: CniEndpoint[] = [];
  const ipam = new NodeIpam({ cidr: '10.250.9.0/24', stateFile: path.join(dir, 'ipam.json') });
  const server = await startCniServer({
    socketPath: socket,
    ipam,
    onAdd: (ep) => (added.push(ep), Promise.resolve()),
    onDel: () => Promise.resolve(),
    podNetwork: () => fake,
    netnsExists: (p) => p.startsWith('/fake/netns/'),
  });
  t.after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const conf = (extra: Record<string, unknown> = {}) => JSON.stringify({ cniVersion: '1.0.0', name: 'weft', type: 'weft', socket, ...extra });
  return { dir, socket, fake, added, ipam, conf };
}

const env = (command: string, extra: Record<string, string> = {}) => ({ CNI_COMMAND: command, CNI_CONTAINERID: 'c1', CNI_NETNS: '/fake/netns/p1', CNI_IFNAME: 'eth0', CNI_PATH: '/opt/cni/bin', ...extra });

test('ADD / DEL are forwarded verbatim and run by the agent; the answer and exit code come back', async (t) => {
  const s = await setup(t);
  const odd = 'p"\\\té✓'; // quote, backslash, tab, non-ASCII
  const add = await run(THIN_PLUGIN, env('ADD', { CNI_ARGS: `K8S_POD_NAMESPACE=default;K8S_POD_NAME=${odd}` }), s.conf({ mtu: 1400 }));
  assert.equal(add.code, 0, add.stdout + add.stderr);
  const result = JSON.parse(add.stdout) as { ips: { address: string }[]; interfaces: { sandbox?: string }[] };
  assert.equal(result.ips[0]?.address, '10.250.9.2/32');
  assert.equal(result.interfaces[1]?.sandbox, '/fake/netns/p1');
  assert.ok(add.stdout.endsWith('}\n'));
  assert.equal(s.added[0]?.podName, odd);
  assert.equal(s.fake.wired.size, 1);
  const del = await run(THIN_PLUGIN, env('DEL'), s.conf());
  assert.deepEqual(del, { code: 0, stdout: '', stderr: '' });
  assert.equal(s.fake.wired.size, 0);
  assert.equal(s.ipam.list().length, 0);
});

test('errors are the ones the full plugin prints, byte for byte', async (t) => {
  const s = await setup(t);
  const cases: [Record<string, string>, string][] = [
    [env('ADD'), `{"cniVersion":"0.4.0","socket":"${s.socket}",`], // not JSON: code 6
    [env('ADD', { CNI_NETNS: '/nonexistent/ns' }), s.conf({ cniVersion: '0.4.0' })], // code 3
    [env('ADD', { CNI_IFNAME: 'a/b' }), s.conf()], // code 4
    [env('ADD'), s.conf({ ipam: { type: 'host-local' } })], // code 2
    [env('ADD'), s.conf({ socket: path.join(s.dir, 'none.sock') })], // unreachable: code 11
    [env('ADD'), JSON.stringify({ cniVersion: '1.0.0', name: 'weft', type: 'weft' })], // no socket: code 7
    [{ CNI_COMMAND: 'VERSION' }, '{"cniVersion":"0.3.1"}'],
  ];
  for (const [e, stdin] of cases) {
    const thin = await run(THIN_PLUGIN, e, stdin);
    const full = await run(FULL_PLUGIN, e, stdin);
    assert.deepEqual(thin, full, `${JSON.stringify(e)} ${stdin}`);
  }
  assert.equal(s.ipam.list().length, 0);
});

test('an agent that drops the connection without answering: the full plugin answers instead', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'weft-thin-drop-'));
  const socket = path.join(dir, 'drop.sock');
  let connections = 0;
  const server = net.createServer((sock) => {
    connections++;
    sock.once('data', () => sock.destroy());
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  t.after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });
  const stdin = JSON.stringify({ cniVersion: '1.0.0', name: 'weft', type: 'weft', socket });
  const status = await run(THIN_PLUGIN, { CNI_COMMAND: 'STATUS' }, stdin);
  assert.equal(status.code, 1);
  const err = JSON.parse(status.stdout) as { code: number; msg: string };
  assert.equal(err.code, 50);
  assert.match(err.msg, /not reachable on socket .*connection closed/);
  assert.equal(connections, 2, 'the thin client, then the full plugin');
});
