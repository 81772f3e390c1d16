import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NodeIpam } from './ipam.ts';
import { startCniServer } from './server.ts';
import { connectAgent } from './client.ts';
import { runPlugin } from './plugin.ts';
import type { PluginDeps } from './plugin.ts';
import { parseEnv } from './skel.ts';
import type { PodNetwork } from './wire.ts';
import type { ObservedNet, WirePlan } from './veth.ts';
import { toCniErrorResult, CniCode } from './codes.ts';
import type { CniResult } from './result.ts';

/** An in-memory PodNetwork: wiring is a set of host veths with their plans. */
function fakeNet(opts: { failWire?: boolean } = {}): PodNetwork & { wired: Map<string, { plan: WirePlan; ip: string }> } {
  const wired = new Map<string, { plan: WirePlan; ip: string }>();
  return {
    wired,
    wire(plan) {
      if (opts.failWire === true) return Promise.reject(new Error('RTNETLINK answers: File exists'));
      const ip = /route add (\S+)\/32/.exec(plan.hostBatch)?.[1] ?? '';
      wired.set(plan.hostVeth, { plan, ip });
      return Promise.resolve();
    },
    unwire(hostVeth) {
      return Promise.resolve(wired.delete(hostVeth));
    },
    observe() {
      const host: ObservedNet = { links: [], routes: [] };
      const pod: ObservedNet = { links: [], routes: [] };
      for (const [hv, { ip }] of wired) {
        host.links.push({ ifname: hv, flags: ['UP'], addr_info: [{ family: 'inet', local: '169.254.1.1', prefixlen: 32 }] });
        host.routes.push({ dst: ip, dev: hv });
        pod.links.push({ ifname: 'eth0', flags: ['UP'], addr_info: [{ family: 'inet', local: ip, prefixlen: 32 }] });
        pod.routes.push({ dst: 'default', gateway: '169.254.1.1', dev: 'eth0' });
      }
      return Promise.resolve({ host, pod });
    },
  };
}

async function setup(t: { after(fn: () => Promise<void>): void }, net: PodNetwork, failAdd = false) {
  const dir = mkdtempSync(path.join(tmpdir(), 'weft-cniplug-'));
  const ipam = new NodeIpam({ cidr: '10.250.1.0/24', stateFile: path.join(dir, 'ipam.json') });
  const socket = path.join(dir, 'cni.sock');
  const server = await startCniServer({
    socketPath: socket,
    ipam,
    onAdd: () => (failAdd ? Promise.reject(new Error('etcd down')) : Promise.resolve()),
    onDel: () => Promise.resolve(),
  });
  t.after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const warnings: string[] = [];
  const deps: PluginDeps = { connect: (s) => connectAgent(s), net, netnsExists: (p) => p.startsWith('/var/run/netns/'), warn: (m) => warnings.push(m) };
  const conf = JSON.stringify({ cniVersion: '1.0.0', name: 'weft', type: 'weft', socket });
  const run = (command: string, extra: Record<string, string> = {}, stdin = conf) =>
    runPlugin(parseEnv({ CNI_COMMAND: command, CNI_CONTAINERID: 'c1', CNI_NETNS: '/var/run/netns/p1', CNI_IFNAME: 'eth0', CNI_ARGS: 'K8S_POD_NAMESPACE=default;K8S_POD_NAME=p1', ...extra }), stdin, deps);
  return { ipam, run, conf, socket, warnings };
}

async function cniErr(p: Promise<unknown>): Promise<{ code: number; msg: string }> {
  return p.then(
    () => assert.fail('expected a CNI error'),
    (e: unknown) => toCniErrorResult(e, '1.0.0'),
  );
}

test('ADD wires and returns the spec result; CHECK passes; DEL tears down and is idempotent', async (t) => {
  const net = fakeNet();
  const s = await setup(t, net);
  const result = (await s.run('ADD')) as CniResult;
  assert.equal(result.ips?.[0]?.address, '10.250.1.2/32');
  assert.equal(result.interfaces?.[1]?.sandbox, '/var/run/netns/p1');
  assert.equal(net.wired.size, 1);
  assert.equal(s.ipam.get('c1', 'eth0')?.podName, 'p1');
  const withPrev = JSON.stringify({ ...(JSON.parse(s.conf) as object), prevResult: result });
  assert.equal(await s.run('CHECK', {}, withPrev), undefined);
  assert.equal(await s.run('DEL'), undefined);
  assert.equal(net.wired.size, 0);
  assert.equal(s.ipam.list().length, 0);
  assert.equal(await s.run('DEL', { CNI_NETNS: '' }), undefined);
});

test('missing netns: code 3, nothing allocated', async (t) => {
  const net = fakeNet();
  const s = await setup(t, net);
  const e = await cniErr(s.run('ADD', { CNI_NETNS: '/proc/999999/ns/net' }));
  assert.equal(e.code, CniCode.UnknownContainer);
  assert.match(e.msg, /\/proc\/999999\/ns\/net/);
  assert.equal(s.ipam.list().length, 0);
});

test('wiring failure: code 101 with the ip message, address released', async (t) => {
  const s = await setup(t, fakeNet({ failWire: true }));
  const e = await cniErr(s.run('ADD'));
  assert.equal(e.code, CniCode.WiringFailed);
  assert.match(e.msg, /File exists/);
  assert.equal(s.ipam.list().length, 0);
});

test('agent refusing the endpoint: veth removed and address released', async (t) => {
  const net = fakeNet();
  const s = await setup(t, net, true);
  const e = await cniErr(s.run('ADD'));
  assert.match(e.msg, /etcd down/);
  assert.equal(net.wired.size, 0);
  assert.equal(s.ipam.list().length, 0);
});

test('CHECK reports what is missing', async (t) => {
  const net = fakeNet();
  const s = await setup(t, net);
  await s.run('ADD');
  net.wired.clear();
  const e = await cniErr(s.run('CHECK'));
  assert.equal(e.code, CniCode.CheckFailed);
  assert.match(e.msg, /does not exist/);
});

test('STATUS and GC; an unreachable agent makes STATUS code 50', async (t) => {
  const net = fakeNet();
  const s = await setup(t, net);
  await s.run('ADD');
  assert.equal(await s.run('STATUS'), undefined);
  const gcConf = JSON.stringify({ ...(JSON.parse(s.conf) as object), 'cni.dev/valid-attachments': [] });
  await s.run('GC', {}, gcConf);
  assert.equal(net.wired.size, 0);
  assert.equal(s.ipam.list().length, 0);
  const noAgent = JSON.stringify({ ...(JSON.parse(s.conf) as object), socket: '/nonexistent/weft.sock' });
  assert.equal((await cniErr(s.run('STATUS', {}, noAgent))).code, CniCode.NotAvailable);
  const e = await cniErr(s.run('ADD', {}, noAgent));
  assert.equal(e.code, CniCode.TryAgainLater);
  assert.match(e.msg, /\/nonexistent\/weft\.sock/);
});

test('VERSION answers without a full config', async () => {
  const deps = {} as PluginDeps;
  assert.deepEqual(await runPlugin(parseEnv({ CNI_COMMAND: 'VERSION' }), '{"cniVersion":"0.4.0"}', deps), {
    cniVersion: '0.4.0',
    supportedVersions: ['0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'],
  });
});
