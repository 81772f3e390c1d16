/**
 * The `weft` CNI plugin run exactly as a runtime runs it (`ip netns exec
 * <node> <plugin>`, env + stdin) against an in-process CNI server, in netns
 * named wf-it-cni-*: ADD/CHECK/DEL, reachability (a TCP round trip; the
 * machine has no ping), error paths, a chain with the reference portmap and
 * bandwidth plugins, and 16 concurrent ADDs. The same suite runs twice: with
 * the thin client bin/cni/weft (the agent does the work) and with the full
 * Node plugin bin/weft-cni. The thin client's fallbacks run last.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createCniTestNode, FULL_PLUGIN, runIn, THIN_PLUGIN } from '../../src/cni/testNode.ts';
import type { CniTestNode } from '../../src/cni/testNode.ts';
import { invokeChain } from '../../src/cni/invoke.ts';
import type { CniResult } from '../../src/cni/invoke.ts';
import { hostVethName } from '../../src/cni/veth.ts';
import { createLogger } from '../../src/util/log.ts';
import { exec, execFull } from '../../src/util/exec.ts';
import { NODE_BIN } from '../../src/util/paths.ts';
import { recordProcess, stopProcess } from '../../src/util/proc.ts';
import type { ProcessRecord } from '../../src/util/proc.ts';

let PREFIX = '';
let node: CniTestNode;
let servers: ProcessRecord[] = [];

async function hostVeths(): Promise<string[]> {
  const links = JSON.parse(await node.inNode(['ip', '-j', 'link', 'show'])) as { ifname: string }[];
  return links.map((l) => l.ifname).filter((n) => /^wf[0-9a-f]{11}$/.test(n));
}

/** An HTTP server in the pod netns answering its name; resolves once it listens. */
async function startPodServer(podNetns: string, name: string): Promise<void> {
  const src = `require('http').createServer((q, r) => r.end(${JSON.stringify(name)})).listen(8080, () => console.log('ready'))`;
  const child = spawn('ip', ['netns', 'exec', podNetns.split('/').pop() ?? '', NODE_BIN, '-e', src], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`pod server exited ${code}`)));
  });
  if (child.pid !== undefined) servers.push(recordProcess(child.pid));
}

async function fetchFromNode(ip: string): Promise<string> {
  return node.inNode(['curl', '-s', '--max-time', '3', `http://${ip}:8080/`]);
}

function ipOf(r: Record<string, unknown> | CniResult | undefined): string {
  const ips = (r as { ips?: { address: string }[] } | undefined)?.ips;
  const address = ips?.[0]?.address ?? '';
  return address.split('/')[0] ?? '';
}

const VARIANTS = [
  { name: 'thin client bin/cni/weft (agent runs the plugin)', plugin: THIN_PLUGIN, tag: 't', cidr: '10.250.1.0/24' },
  { name: 'full Node plugin bin/weft-cni', plugin: FULL_PLUGIN, tag: 'f', cidr: '10.250.2.0/24' },
] as const;

for (const variant of VARIANTS) describe(`weft CNI plugin, executed as a runtime does: ${variant.name}`, () => {
  before(async () => {
    PREFIX = `wf-it-cni-${process.pid}-${variant.tag}`;
    servers = [];
    node = await createCniTestNode({ prefix: PREFIX, cidr: variant.cidr, plugin: variant.plugin });
  });

  after(async () => {
    for (const s of servers) await stopProcess(s);
    await node.close();
  });

  it('ADD wires pods with distinct IPs reachable from the node and each other; CHECK passes', async () => {
    const a = await node.addPod('a');
    const b = await node.addPod('b');
    const ra = await node.runWeft('ADD', { containerId: 'ctr-a', netns: a, args: { K8S_POD_NAMESPACE: 'default', K8S_POD_NAME: 'a' } });
    assert.equal(ra.code, 0, ra.stdout + ra.stderr);
    const rb = await node.runWeft('ADD', { containerId: 'ctr-b', netns: b });
    assert.equal(rb.code, 0, rb.stdout + rb.stderr);
    const ipA = ipOf(ra.json);
    const ipB = ipOf(rb.json);
    assert.ok(ipA.startsWith(variant.cidr.replace(/0\/24$/, '')), `${ipA} is in ${variant.cidr}`);
    assert.notEqual(ipA, ipB);
    const ifaces = ra.json?.['interfaces'] as { name: string; mac: string; sandbox?: string }[];
    assert.equal(ifaces[0]?.name, hostVethName('ctr-a', 'eth0'));
    assert.equal(ifaces[0]?.sandbox, undefined);
    assert.deepEqual([ifaces[1]?.name, ifaces[1]?.sandbox], ['eth0', a]);
    assert.deepEqual(node.added.map((e) => [e.podNamespace, e.podName, e.ip]).at(0), ['default', 'a', ipA]);

    await startPodServer(a, 'pod-a');
    await startPodServer(b, 'pod-b');
    assert.equal(await fetchFromNode(ipA), 'pod-a');
    const viaNode = await exec('ip', ['netns', 'exec', `${PREFIX}-b`, 'curl', '-s', '--max-time', '3', `http://${ipA}:8080/`]);
    assert.equal(viaNode, 'pod-a', 'pod b reaches pod a through the node');

    const check = await node.runWeft('CHECK', { containerId: 'ctr-a', netns: a, stdin: JSON.stringify(node.weftConf({ prevResult: ra.json })) });
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.equal(check.stdout, '');
  });

  it('DEL removes the veth and releases the IP; a second DEL succeeds too', async () => {
    const a = `/run/netns/${PREFIX}-a`;
    for (let i = 0; i < 2; i++) {
      const r = await node.runWeft('DEL', { containerId: 'ctr-a', netns: a });
      assert.equal(r.code, 0, r.stdout + r.stderr);
    }
    assert.ok(!(await hostVeths()).includes(hostVethName('ctr-a', 'eth0')));
    assert.equal(node.ipam.get('ctr-a', 'eth0'), undefined);
    const broken = await node.runWeft('CHECK', { containerId: 'ctr-b', netns: `/run/netns/${PREFIX}-b` });
    assert.equal(broken.code, 0, 'pod b is untouched');
  });

  it('a missing netns is code 3 and leaks neither veth nor IP', async () => {
    const before = (await hostVeths()).length;
    const used = node.ipam.list().length;
    const r = await node.runWeft('ADD', { containerId: 'ctr-gone', netns: `/run/netns/${PREFIX}-gone` });
    assert.notEqual(r.code, 0);
    assert.equal(r.json?.['code'], 3);
    assert.match(String(r.json?.['msg']), new RegExp(`${PREFIX}-gone`));
    assert.equal((await hostVeths()).length, before);
    assert.equal(node.ipam.list().length, used);
  });

  it('a wiring failure is code 101 with ip\'s message, the address released, the veth it did not create kept; the next ADD works', async () => {
    const p = await node.addPod('clash');
    const clash = hostVethName('ctr-clash', 'eth0');
    await node.inNode(['ip', 'link', 'add', clash, 'type', 'veth', 'peer', 'name', 'wf-clash-peer']);
    const used = node.ipam.list().length;
    const r = await node.runWeft('ADD', { containerId: 'ctr-clash', netns: p });
    assert.deepEqual([r.code, r.json?.['code']], [1, 101]);
    assert.match(String(r.json?.['msg']), new RegExp(`^cannot wire eth0 of container ctr-clash \\([0-9.]+, host veth ${clash}\\): ip -batch - failed \\(exit 1\\): RTNETLINK answers: File exists\nCommand failed -:1$`));
    assert.equal(node.ipam.list().length, used);
    assert.ok((await hostVeths()).includes(clash), 'the veth this ADD did not create is left alone');
    await node.inNode(['ip', 'link', 'del', clash]);
    const ok = await node.runWeft('ADD', { containerId: 'ctr-clash2', netns: p });
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    const del = await node.runWeft('DEL', { containerId: 'ctr-clash2', netns: p });
    assert.equal(del.code, 0, del.stdout + del.stderr);
    await node.deletePod('clash');
  });

  it('ADD again for an attached container id + ifname is code 4; the attachment keeps its IP, veth and endpoint and still serves', async () => {
    const p = await node.addPod('again');
    const other = await node.addPod('again2');
    const first = await node.runWeft('ADD', { containerId: 'ctr-again', netns: p, args: { K8S_POD_NAMESPACE: 'default', K8S_POD_NAME: 'again' } });
    assert.equal(first.code, 0, first.stdout + first.stderr);
    const ip = ipOf(first.json);
    const veth = hostVethName('ctr-again', 'eth0');
    await startPodServer(p, 'pod-again');
    assert.equal(await fetchFromNode(ip), 'pod-again');
    for (const netns of [p, other]) {
      const again = await node.runWeft('ADD', { containerId: 'ctr-again', netns, args: { K8S_POD_NAMESPACE: 'default', K8S_POD_NAME: 'again' } });
      assert.deepEqual([again.code, again.json?.['code']], [1, 4], again.stdout + again.stderr);
      assert.equal(
        again.json?.['msg'],
        `container ctr-again (CNI_CONTAINERID) already has interface eth0 (CNI_IFNAME) attached with address ${ip}, host veth ${veth}: ADD again without DEL is refused and the existing attachment is left as it is`,
      );
    }
    const gone = await node.runWeft('ADD', { containerId: 'ctr-again', netns: `/run/netns/${PREFIX}-nope` });
    assert.equal(gone.json?.['code'], 3, 'a bad netns path is refused before anything is touched');
    assert.equal(node.ipam.get('ctr-again', 'eth0')?.ip, ip, 'the address is still assigned');
    assert.ok((await hostVeths()).includes(veth), 'the veth is still there');
    assert.deepEqual(node.added.filter((e) => e.containerId === 'ctr-again').map((e) => e.ip), [ip], 'registered once');
    assert.deepEqual(node.deleted.filter((e) => e.containerId === 'ctr-again'), [], 'the endpoint was never deleted');
    assert.equal(await fetchFromNode(ip), 'pod-again', 'the pod still answers over its veth');
    assert.doesNotMatch(await exec('ip', ['netns', 'exec', `${PREFIX}-again2`, 'ip', '-o', 'link', 'show']), /eth0/, 'the other netns got nothing');
    const check = await node.runWeft('CHECK', { containerId: 'ctr-again', netns: p, stdin: JSON.stringify(node.weftConf({ prevResult: first.json })) });
    assert.equal(check.code, 0, check.stdout + check.stderr);
    const del = await node.runWeft('DEL', { containerId: 'ctr-again', netns: p });
    assert.equal(del.code, 0, del.stdout + del.stderr);
    assert.equal(node.ipam.get('ctr-again', 'eth0'), undefined);
    await node.deletePod('again');
    await node.deletePod('again2');
  });

  it('an ADD failing after it created its veth (the pod already has a default route) removes its own veth and address, nothing else', async () => {
    const p = await node.addPod('half');
    await exec('ip', ['netns', 'exec', `${PREFIX}-half`, 'ip', 'route', 'add', 'blackhole', 'default']);
    const veths = await hostVeths();
    const held = node.ipam.list();
    const r = await node.runWeft('ADD', { containerId: 'ctr-half', netns: p });
    assert.deepEqual([r.code, r.json?.['code']], [1, 101], r.stdout + r.stderr);
    assert.match(String(r.json?.['msg']), /File exists\nCommand failed -:4$/, 'the pod side failed on its default route');
    assert.deepEqual(await hostVeths(), veths, 'its own veth is gone, every other one is still there');
    assert.deepEqual(node.ipam.list(), held, 'its own address is released, every other one is still held');
    assert.doesNotMatch(await exec('ip', ['netns', 'exec', `${PREFIX}-half`, 'ip', '-o', 'link', 'show']), /eth0/);
    const b = await node.runWeft('CHECK', { containerId: 'ctr-b', netns: `/run/netns/${PREFIX}-b` });
    assert.equal(b.code, 0, 'pod b is untouched');
    assert.equal(await fetchFromNode(node.ipam.get('ctr-b', 'eth0')?.ip ?? ''), 'pod-b', 'pod b still answers');
    await node.deletePod('half');
  });

  it('DEL after the pod netns is gone releases the IP', async () => {
    const p = await node.addPod('late');
    const add = await node.runWeft('ADD', { containerId: 'ctr-late', netns: p });
    assert.equal(add.code, 0, add.stdout + add.stderr);
    await node.deletePod('late');
    const del = await node.runWeft('DEL', { containerId: 'ctr-late', netns: '' });
    assert.equal(del.code, 0, del.stdout + del.stderr);
    assert.equal(node.ipam.get('ctr-late', 'eth0'), undefined);
    assert.ok(!(await hostVeths()).includes(hostVethName('ctr-late', 'eth0')));
  });

  it('malformed JSON and an unreachable agent are spec errors', async () => {
    const bad = await node.runWeft('ADD', { containerId: 'ctr-x', netns: `/run/netns/${PREFIX}-b`, stdin: '{"cniVersion": "1.0.0", ' });
    assert.equal(bad.code, 1);
    assert.equal(bad.json?.['code'], 6);
    const noAgent = await node.runWeft('ADD', { containerId: 'ctr-x', netns: `/run/netns/${PREFIX}-b`, stdin: JSON.stringify(node.weftConf({ socket: '/run/weft-none.sock' })) });
    assert.equal(noAgent.json?.['code'], 11);
    assert.match(String(noAgent.json?.['msg']), /\/run\/weft-none\.sock/);
  });

  it('chains with portmap and bandwidth; DEL removes their chains, ifb and veth', async () => {
    const p = await node.addPod('chain');
    const conflist = {
      cniVersion: '1.0.0',
      name: 'weft',
      plugins: [node.weftConf(), { type: 'portmap', capabilities: { portMappings: true } }, { type: 'bandwidth', capabilities: { bandwidth: true } }],
    };
    const req = {
      containerId: 'ctr-chain',
      netns: p,
      ifName: 'eth0',
      cniPath: node.cniPath,
      execPrefix: ['ip', 'netns', 'exec', node.netns],
      capabilityArgs: {
        portMappings: [{ hostPort: 18080, containerPort: 8080, protocol: 'tcp' }],
        bandwidth: { ingressRate: 10_000_000, ingressBurst: 1_000_000, egressRate: 10_000_000, egressBurst: 1_000_000 },
      },
    };
    const result = await invokeChain(conflist, { ...req, command: 'ADD' });
    const ip = ipOf(result);
    const nat = await node.inNode(['iptables-save', '-t', 'nat']);
    assert.match(nat, /CNI-DN-/, 'portmap created its per-container chain');
    assert.ok(nat.includes(`${ip}:8080`), 'portmap DNATs to the pod');
    const links = await node.inNode(['ip', '-o', 'link', 'show']);
    assert.match(links, /bwp/, 'bandwidth created its ifb device');
    // (no chain CHECK: Debian's portmap 1.1.1 CHECK fails on the ipv6 chain it never creates for an IPv4-only pod)
    await invokeChain(conflist, { ...req, command: 'DEL' }, result);
    assert.doesNotMatch(await node.inNode(['iptables-save', '-t', 'nat']), /CNI-DN-/);
    assert.doesNotMatch(await node.inNode(['ip', '-o', 'link', 'show']), /bwp/);
    assert.ok(!(await hostVeths()).includes(hostVethName('ctr-chain', 'eth0')));
    assert.equal(node.ipam.get('ctr-chain', 'eth0'), undefined);
  });

  it('16 concurrent ADDs get 16 distinct IPs; 16 concurrent DELs leave nothing', async () => {
    const ids = Array.from({ length: 16 }, (_, i) => `par${i}`);
    const paths = await Promise.all(ids.map((id) => node.addPod(id)));
    const adds = await Promise.all(ids.map((id, i) => node.runWeft('ADD', { containerId: `ctr-${id}`, netns: paths[i] ?? '' })));
    for (const r of adds) assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(new Set(adds.map((r) => ipOf(r.json))).size, 16);
    const dels = await Promise.all(ids.map((id, i) => node.runWeft('DEL', { containerId: `ctr-${id}`, netns: paths[i] ?? '' })));
    for (const r of dels) assert.equal(r.code, 0, r.stdout + r.stderr);
    const left = await hostVeths();
    assert.deepEqual(left, [hostVethName('ctr-b', 'eth0')]);
    assert.deepEqual(node.ipam.list().map((x) => x.containerId), ['ctr-b']);
    const gone = await execFull('ip', ['netns', 'list']);
    assert.ok(gone.stdout.includes(`${PREFIX}-par0`), 'pod netns still exist until the test node closes them');
  });
});

describe('thin client bin/cni/weft: when it cannot forward, the full plugin answers', () => {
  const prefix = `wf-it-cni-${process.pid}-d`;
  let n: CniTestNode;
  let dir = '';
  const env = (command: string, containerId: string, netns: string) => ({
    PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    CNI_COMMAND: command,
    CNI_CONTAINERID: containerId,
    CNI_NETNS: netns,
    CNI_IFNAME: 'eth0',
    CNI_PATH: n.cniPath.join(':'),
  });
  const veths = async (): Promise<string[]> => (JSON.parse(await n.inNode(['ip', '-j', 'link', 'show'])) as { ifname: string }[]).map((l) => l.ifname);

  const logged: string[] = [];
  before(async () => {
    n = await createCniTestNode({ prefix, cidr: '10.250.3.0/24', logger: createLogger({}, (line) => logged.push(line)) });
    dir = mkdtempSync(path.join(tmpdir(), `${prefix}-`));
  });
  after(async () => {
    await n.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('installed as a symlink elsewhere: no socket field is code 7, an unreachable agent code 11, exactly as the full plugin says', async () => {
    const link = path.join(dir, 'weft');
    symlinkSync(THIN_PLUGIN, link);
    const pod = await n.addPod('x');
    for (const stdin of [JSON.stringify({ cniVersion: '0.4.0', name: 'weft', type: 'weft' }), JSON.stringify(n.weftConf({ socket: '/run/weft-none.sock' }))]) {
      const thin = await runIn(n.netns, [link], env('ADD', 'ctr-x', pod), stdin);
      const full = await runIn(n.netns, [FULL_PLUGIN], env('ADD', 'ctr-x', pod), stdin);
      assert.equal(thin.code, 1);
      assert.equal(thin.stdout, full.stdout);
      assert.equal(thin.stderr, full.stderr);
    }
    const noSocket = await runIn(n.netns, [link], env('ADD', 'ctr-x', pod), JSON.stringify({ cniVersion: '0.4.0', name: 'weft', type: 'weft' }));
    assert.deepEqual([noSocket.json?.['code'], noSocket.json?.['cniVersion']], [7, '0.4.0']);
    const unreachable = await runIn(n.netns, [link], env('ADD', 'ctr-x', pod), JSON.stringify(n.weftConf({ socket: '/run/weft-none.sock' })));
    assert.equal(unreachable.json?.['code'], 11);
    assert.match(String(unreachable.json?.['msg']), /not reachable on socket \/run\/weft-none\.sock/);
    const version = await runIn(n.netns, [link], { CNI_COMMAND: 'VERSION' }, '{"cniVersion":"1.0.0"}');
    assert.deepEqual([version.code, version.json?.['cniVersion']], [0, '1.0.0']);
  });

  it('a caller in another pid namespace (the agent cannot see its namespaces) is served by the full plugin, same result', async () => {
    const pod = await n.addPod('pidns');
    const argv = ['unshare', '--pid', '--fork', THIN_PLUGIN];
    const add = await runIn(n.netns, argv, env('ADD', 'ctr-pidns', pod), JSON.stringify(n.weftConf()));
    assert.equal(add.code, 0, add.stdout + add.stderr);
    assert.ok(logged.some((l) => l.includes('CNI invocation delegated to the full plugin')), 'the agent delegated');
    const ip = ipOf(add.json);
    assert.equal(n.ipam.get('ctr-pidns', 'eth0')?.ip, ip);
    assert.ok((await veths()).includes(hostVethName('ctr-pidns', 'eth0')));
    const check = await runIn(n.netns, argv, env('CHECK', 'ctr-pidns', pod), JSON.stringify(n.weftConf({ prevResult: add.json })));
    assert.equal(check.code, 0, check.stdout + check.stderr);
    const del = await runIn(n.netns, argv, env('DEL', 'ctr-pidns', pod), JSON.stringify(n.weftConf()));
    assert.equal(del.code, 0, del.stdout + del.stderr);
    assert.equal(n.ipam.get('ctr-pidns', 'eth0'), undefined);
    assert.ok(!(await veths()).includes(hostVethName('ctr-pidns', 'eth0')));
  });

  it('DEL while the agent is unreachable removes the veth and fails with code 11; the retried DEL releases the address', async () => {
    const pod = await n.addPod('retry');
    const add = await n.runWeft('ADD', { containerId: 'ctr-retry', netns: pod });
    assert.equal(add.code, 0, add.stdout + add.stderr);
    const down = await n.runWeft('DEL', { containerId: 'ctr-retry', netns: pod, stdin: JSON.stringify(n.weftConf({ socket: path.join(dir, 'gone.sock') })) });
    assert.deepEqual([down.code, down.json?.['code']], [1, 11]);
    assert.ok(!(await veths()).includes(hostVethName('ctr-retry', 'eth0')), 'the veth is gone already');
    assert.equal(n.ipam.get('ctr-retry', 'eth0')?.ip, ipOf(add.json), 'the address waits for the retried DEL');
    const retried = await n.runWeft('DEL', { containerId: 'ctr-retry', netns: pod });
    assert.equal(retried.code, 0, retried.stdout + retried.stderr);
    assert.equal(n.ipam.get('ctr-retry', 'eth0'), undefined);
  });
});
