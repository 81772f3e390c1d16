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
import { planWiring } from './veth.ts';
import type { ObservedNet, WirePlan } from './veth.ts';
import { toCniErrorResult, CniCode } from './codes.ts';
import type { CniResult } from './result.ts';

/**
 * An in-memory PodNetwork: wiring is a set of host veths with their plans.
 * Like the kernel, a taken host veth name fails the link add (line 1);
 * failAtLine makes the batch fail at that line, after creating the pair when
 * the line is past the link add.
 */
function fakeNet(opts: { failWire?: boolean; failAtLine?: number } = {}): PodNetwork & { wired: Map<string, { plan: WirePlan; ip: string }> } {
  const wired = new Map<string, { plan: WirePlan; ip: string }>();
  return {
    wired,
    wire(plan, _netns, progress) {
      const ip = /route add (\S+)\/32/.exec(plan.hostBatch)?.[1] ?? '';
      if (opts.failWire === true || wired.has(plan.hostVeth)) return Promise.reject(new Error('RTNETLINK answers: File exists\nCommand failed -:1'));
      wired.set(plan.hostVeth, { plan, ip });
      progress.hostVeth = true;
      if (opts.failAtLine !== undefined) return Promise.reject(new Error(`RTNETLINK answers: Invalid argument\nCommand failed -:${opts.failAtLine}`));
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

test('ADD again for an attached pair is code 4 naming container, interface and address; the attachment stays whole', async (t) => {
  const net = fakeNet();
  const s = await setup(t, net);
  const first = (await s.run('ADD')) as CniResult;
  const held = s.ipam.get('c1', 'eth0');
  for (const netns of ['/var/run/netns/p1', '/var/run/netns/other']) {
    const e = await cniErr(s.run('ADD', { CNI_NETNS: netns }));
    assert.equal(e.code, CniCode.InvalidEnv);
    assert.match(e.msg, /container c1 \(CNI_CONTAINERID\) already has interface eth0 \(CNI_IFNAME\) attached with address 10\.250\.1\.2, host veth wf[0-9a-f]{11}/);
  }
  assert.deepEqual(s.ipam.get('c1', 'eth0'), held, 'same address, same record');
  assert.deepEqual([...net.wired.keys()], [first.interfaces?.[0]?.name]);
  assert.deepEqual(s.warnings, [], 'nothing undone');
  const withPrev = JSON.stringify({ ...(JSON.parse(s.conf) as object), prevResult: first });
  assert.equal(await s.run('CHECK', {}, withPrev), undefined, 'CHECK of the first attachment still passes');
  assert.equal(await s.run('DEL'), undefined);
  assert.equal(net.wired.size, 0);
  assert.equal((await s.run('ADD')) !== undefined, true, 'after DEL the pair can be added again');
});

test('concurrent ADDs for one pair: one attaches, the other is refused and undoes nothing', async (t) => {
  const net = fakeNet();
  const s = await setup(t, net);
  const outcomes = await Promise.allSettled([s.run('ADD'), s.run('ADD')]);
  assert.deepEqual(outcomes.map((o) => o.status).sort(), ['fulfilled', 'rejected']);
  const refused = outcomes.find((o) => o.status === 'rejected');
  assert.equal(toCniErrorResult(refused?.reason, '1.0.0').code, CniCode.InvalidEnv);
  assert.equal(net.wired.size, 1);
  assert.equal(s.ipam.list().length, 1);
});

test('a link add that fails on a taken veth name releases the new address and leaves that veth alone', async (t) => {
  const net = fakeNet();
  const s = await setup(t, net);
  const foreign = planWiring({ containerId: 'c1', ifName: 'eth0', netns: '/var/run/netns/x', ip: '10.9.9.9' });
  net.wired.set(foreign.hostVeth, { plan: foreign, ip: '10.9.9.9' }); // a veth of that name, no address on record
  const e = await cniErr(s.run('ADD'));
  assert.equal(e.code, CniCode.WiringFailed);
  assert.match(e.msg, /File exists/);
  assert.equal(s.ipam.list().length, 0, 'the address this ADD allocated is released');
  assert.equal(net.wired.get(foreign.hostVeth)?.plan, foreign, 'the veth it did not create is still there');
});

test('a wiring failure after the link add removes the veth this ADD created and its address', async (t) => {
  const net = fakeNet({ failAtLine: 4 });
  const s = await setup(t, net);
  const e = await cniErr(s.run('ADD'));
  assert.equal(e.code, CniCode.WiringFailed);
  assert.match(e.msg, /Command failed -:4/);
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
