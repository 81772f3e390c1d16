/**
 * The node DNS responder for real, in netns named wf-it-dns-*: a node netns
 * and pod netns wired as the CNI wires them (veth, pod /32, default via
 * 169.254.1.1 which the host veth holds), the responder (src/dns/serveMain.ts)
 * running inside the node netns on 169.254.1.1:53 and each pod's resolv.conf
 * from writePodResolvConf. Pods resolve with glibc (`getent hosts`): short
 * names through the search path, full cluster.local and clusterset.local
 * names; unknown names fail fast; nft counters show that no DNS packet goes
 * anywhere but the responder. Needs root.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { planWiring } from '../../src/cni/veth.ts';
import { removePodResolvConf, writePodResolvConf } from '../../src/dns/resolvConf.ts';
import type { DnsRecordsInput } from '../../src/dns/records.ts';
import { exec, execFull } from '../../src/util/exec.ts';
import { NODE_BIN, PROJECT_ROOT } from '../../src/util/paths.ts';
import { recordProcess, stopProcess } from '../../src/util/proc.ts';
import type { ProcessRecord } from '../../src/util/proc.ts';

const isRoot = process.getuid?.() === 0;
const PREFIX = 'wf-it-dns-';
const NODE = `${PREFIX}node`;
const POD_DEFAULT = `${PREFIX}pa`;
const POD_OTHER = `${PREFIX}pb`;
const SERVE_MAIN = path.join(PROJECT_ROOT, 'src', 'dns', 'serveMain.ts');

const RECORDS: DnsRecordsInput = {
  cluster: 'c1',
  services: [
    { namespace: 'default', name: 'echo-1', clusterIP: '10.101.0.10', global: true },
    { namespace: 'default', name: 'local-only', clusterIP: '10.101.0.11', global: false },
    { namespace: 'other', name: 'echo-1', clusterIP: '10.101.0.30', global: false },
  ],
};

let tmp = '';
let recordsFile = '';
let server: ProcessRecord | undefined;

async function netnsList(): Promise<string[]> {
  const out = await exec('ip', ['netns', 'list']);
  return out.split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n.startsWith(PREFIX));
}

async function removeAll(): Promise<void> {
  for (const ns of await netnsList()) {
    removePodResolvConf(ns);
    await exec('ip', ['netns', 'delete', ns]);
  }
}

async function addNetns(name: string): Promise<void> {
  await exec('ip', ['netns', 'add', name]);
  await exec('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
}

/** A pod netns wired exactly like the CNI does it (src/cni/veth.ts), with its resolv.conf. */
async function addPod(netns: string, ip: string, namespace: string): Promise<void> {
  await addNetns(netns);
  const plan = planWiring({ containerId: netns, ifName: 'eth0', netns, ip });
  await exec('ip', ['-n', NODE, '-batch', '-'], { input: plan.hostBatch });
  await exec('ip', ['-n', netns, '-batch', '-'], { input: plan.podBatch });
  writePodResolvConf(netns, namespace);
}

/** Starts serveMain in the node netns; resolves with the first stdout line, or rejects with its stderr when it exits. */
function startResponder(args: string[]): Promise<{ line: string; pid: number }> {
  const child = spawn('ip', ['netns', 'exec', NODE, NODE_BIN, '--no-warnings=ExperimentalWarning', SERVE_MAIN, '--records', recordsFile, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`responder did not start within 10 s: ${stderr}`)), 10_000);
    child.stdout.once('data', (b: Buffer) => {
      clearTimeout(timer);
      resolve({ line: b.toString().trim(), pid: child.pid ?? 0 });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`responder exited ${code}: ${stderr}`));
    });
  });
}

/** `getent hosts` (gethostbyname, one query at a time) or `getent ahostsv4` (getaddrinfo, as curl resolves). */
async function getent(netns: string, name: string, db: 'hosts' | 'ahostsv4' = 'hosts'): Promise<{ ip: string | undefined; ms: number; code: number }> {
  const t0 = performance.now();
  const r = await execFull('ip', ['netns', 'exec', netns, 'getent', db, name], { okCodes: [0, 2], timeoutMs: 20_000 });
  const ms = performance.now() - t0;
  return { ip: r.code === 0 ? r.stdout.trim().split(/\s+/)[0] : undefined, ms, code: r.code };
}

/** Packets counted by the `weft_it_dns` table of a netns, per counter name. */
async function countersIn(netns: string): Promise<Record<string, number>> {
  const out = await exec('ip', ['netns', 'exec', netns, 'nft', '-j', 'list', 'counters', 'table', 'inet', 'weft_it_dns']);
  const json = JSON.parse(out) as { nftables: { counter?: { name: string; packets: number } }[] };
  return Object.fromEntries(json.nftables.flatMap((e) => (e.counter ? [[e.counter.name, e.counter.packets]] : [])));
}

/**
 * Counts, in a netns, what leaves it: DNS queries to the responder, its
 * replies, DNS to anywhere else (either family) and any other IPv4 packet,
 * sent or forwarded. (IPv6 link-local chatter of the veths is left out.)
 */
async function addCounters(netns: string): Promise<void> {
  const rules = `
table inet weft_it_dns {
  counter to_responder {}
  counter replies {}
  counter dns_elsewhere {}
  counter other_out {}
  chain out {
    type filter hook output priority 0;
    oifname "lo" accept
    ip daddr 169.254.1.1 meta l4proto { tcp, udp } th dport 53 counter name to_responder accept
    ip saddr 169.254.1.1 meta l4proto { tcp, udp } th sport 53 counter name replies accept
    meta l4proto { tcp, udp } th dport 53 counter name dns_elsewhere accept
    meta nfproto ipv4 counter name other_out
  }
  chain passing {
    type filter hook forward priority 0;
    counter name other_out
  }
}
`;
  await exec('ip', ['netns', 'exec', netns, 'nft', '-f', '-'], { input: rules });
}

void describe('node DNS responder in a netns', { skip: !isRoot && 'needs root', timeout: 120_000 }, () => {
  before(async () => {
    await removeAll();
    tmp = mkdtempSync(path.join(tmpdir(), 'weft-it-dns-'));
    recordsFile = path.join(tmp, 'records.json');
    writeFileSync(recordsFile, JSON.stringify(RECORDS));
    await addNetns(NODE);
  });

  after(async () => {
    if (server !== undefined) await stopProcess(server);
    await removeAll();
    if (tmp !== '') rmSync(tmp, { recursive: true, force: true });
    assert.deepEqual(await netnsList(), []);
  });

  void it('cannot bind 169.254.1.1 in a node without pods unless the address is claimed on lo', async () => {
    await assert.rejects(startResponder([]), /EADDRNOTAVAIL/);
    const started = await startResponder(['--claim-address']);
    server = recordProcess(started.pid);
    assert.equal(started.line, 'listening 169.254.1.1 53');
    const lo = await exec('ip', ['-n', NODE, '-o', 'addr', 'show', 'dev', 'lo']);
    assert.match(lo, /inet 169\.254\.1\.1\/32 scope host lo/);
  });

  void it('a pod resolves short, full and clusterset names with glibc', async () => {
    await addPod(POD_DEFAULT, '10.9.0.5', 'default');
    await addCounters(POD_DEFAULT);
    await addCounters(NODE);
    assert.equal((await getent(POD_DEFAULT, 'echo-1')).ip, '10.101.0.10');
    assert.equal((await getent(POD_DEFAULT, 'echo-1.default')).ip, '10.101.0.10');
    assert.equal((await getent(POD_DEFAULT, 'echo-1.other')).ip, '10.101.0.30');
    assert.equal((await getent(POD_DEFAULT, 'echo-1.default.svc.cluster.local')).ip, '10.101.0.10');
    assert.equal((await getent(POD_DEFAULT, 'ECHO-1.Default.svc.cluster.local.')).ip, '10.101.0.10');
    assert.equal((await getent(POD_DEFAULT, 'echo-1.default.svc.clusterset.local')).ip, '10.101.0.10');
    assert.equal((await getent(POD_DEFAULT, 'local-only.default.svc.clusterset.local')).ip, undefined);
    assert.equal((await getent(POD_DEFAULT, 'echo-1', 'ahostsv4')).ip, '10.101.0.10');
  });

  void it('unknown names fail fast, inside and outside the cluster zones', async (t) => {
    const names = ['nosuch', 'nosuch.default.svc.cluster.local', 'example.com', 'echo-1.other.svc.clusterset.local'];
    for (const [name, db] of [...names.map((n) => [n, 'hosts'] as const), ['example.com', 'ahostsv4'] as const]) {
      const r = await getent(POD_DEFAULT, name, db);
      t.diagnostic(`getent ${db} ${name}: exit ${r.code} after ${r.ms.toFixed(1)} ms (ip netns exec + getent included)`);
      assert.equal(r.code, 2, `${name} must not resolve`);
      assert.ok(r.ms < 1000, `${name} failed after ${Math.round(r.ms)} ms (limit 1000 ms)`);
    }
  });

  void it('replies come from 169.254.1.1 over UDP, and TCP works too', async () => {
    const script = `
      const dgram = require('node:dgram'), net = require('node:net');
      const q = Buffer.from('000701000001000000000000066563686f2d310764656661756c74037376630763' + '6c7573746572056c6f63616c0000010001', 'hex');
      const s = dgram.createSocket('udp4');
      s.on('message', (m, r) => {
        s.close();
        const c = net.connect(53, '169.254.1.1', () => { const l = Buffer.alloc(2); l.writeUInt16BE(q.length); c.write(Buffer.concat([l, q])); });
        c.on('data', (d) => { console.log(JSON.stringify({ udpFrom: r.address + ':' + r.port, udpIp: [...m.subarray(-4)].join('.'), tcpIp: [...d.subarray(-4)].join('.') })); c.destroy(); process.exit(0); });
      });
      s.send(q, 53, '169.254.1.1');
      setTimeout(() => process.exit(3), 3000);`;
    const out = await exec('ip', ['netns', 'exec', POD_DEFAULT, NODE_BIN, '-e', script]);
    assert.deepEqual(JSON.parse(out), { udpFrom: '169.254.1.1:53', udpIp: '10.101.0.10', tcpIp: '10.101.0.10' });
  });

  void it('follows record updates (SIGHUP re-reads the file)', async () => {
    assert.ok(server);
    writeFileSync(recordsFile, JSON.stringify({ ...RECORDS, services: [...RECORDS.services, { namespace: 'default', name: 'late', clusterIP: '10.101.0.12', global: false }] }));
    process.kill(server.pid, 'SIGHUP');
    let ip: string | undefined;
    for (let i = 0; i < 40 && ip === undefined; i++) {
      ip = (await getent(POD_DEFAULT, 'late')).ip;
      if (ip === undefined) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(ip, '10.101.0.12');
  });

  void it('keeps serving after the last pod goes and a new one (another namespace) comes', async () => {
    await exec('ip', ['netns', 'delete', POD_DEFAULT]);
    removePodResolvConf(POD_DEFAULT);
    await addPod(POD_OTHER, '10.9.0.6', 'other');
    await addCounters(POD_OTHER);
    assert.equal((await getent(POD_OTHER, 'echo-1')).ip, '10.101.0.30');
    assert.equal((await getent(POD_OTHER, 'echo-1.default')).ip, '10.101.0.10');
  });

  void it('sent nothing anywhere but the responder', async () => {
    const pod = await countersIn(POD_OTHER);
    assert.ok((pod['to_responder'] ?? 0) > 0, 'the pod asked the responder');
    assert.equal(pod['dns_elsewhere'], 0, 'DNS from the pod to another server');
    assert.equal(pod['other_out'], 0, 'other traffic out of the pod');
    const node = await countersIn(NODE);
    assert.equal(node['dns_elsewhere'], 0, 'DNS from the node (a forwarded query)');
    assert.equal(node['other_out'], 0, 'traffic the node sent or forwarded other than DNS replies');
    assert.ok((node['replies'] ?? 0) > 0, 'the responder answered');
  });
});
