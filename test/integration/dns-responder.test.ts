/**
 * The node DNS responder for real, in netns named wf-it-dns-*: a node netns
 * and pod netns wired as the CNI wires them (veth, pod /32, default via
 * 169.254.1.1 which the host veth holds), the responder (src/dns/serveMain.ts)
 * running inside the node netns on 169.254.1.1:53 and each pod's resolv.conf
 * from writePodResolvConf. Pods resolve with glibc (`getent hosts`): short
 * names through the search path, full cluster.local and clusterset.local
 * names; unknown names fail fast; nft counters show that no DNS packet goes
 * anywhere but the responder. A second responder on 127.0.0.1:53 in its own
 * netns is asked with the real `dig` (Debian bind9-dnsutils) from several
 * loopback source addresses: the question echoed exactly, BADVERS, FORMERR
 * for two OPTs, REFUSED outside the zones, and DNS over TCP still answering
 * one source while another holds 64 trickling connections. Needs root.
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
function startResponder(args: string[], netns = NODE): Promise<{ line: string; pid: number }> {
  const child = spawn('ip', ['netns', 'exec', netns, NODE_BIN, '--no-warnings=ExperimentalWarning', SERVE_MAIN, '--records', recordsFile, ...args], {
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

const LO_NS = `${PREFIX}lo`;

interface DigResult {
  code: number;
  status: string | undefined;
  question: string | undefined;
  edns: string | undefined;
  answers: string[];
  out: string;
}

/** The real dig, in LO_NS, asking 127.0.0.1:53 from `source`; one try of 2 s. */
async function dig(args: string[], source = '127.0.0.2'): Promise<DigResult> {
  const r = await execFull('ip', ['netns', 'exec', LO_NS, 'dig', '@127.0.0.1', '-b', source, '+tries=1', '+time=2', ...args], { okCodes: [0, 9], timeoutMs: 20_000 });
  const out = r.stdout;
  const question = /;; QUESTION SECTION:\n;(\S+)/.exec(out)?.[1];
  const answers = (/;; ANSWER SECTION:\n([^]*?)\n\n/.exec(out)?.[1] ?? '').split('\n').filter((l) => l !== '');
  return { code: r.code, status: /status: (\w+)/.exec(out)?.[1], question, edns: /; EDNS: (.*)/.exec(out)?.[1], answers, out };
}

/**
 * In LO_NS: opens `count` TCP connections to 127.0.0.1:53 from `source`, sends
 * the first bytes of a query one byte a second on each, and prints, once all
 * are closed or after `runMs`, how many the server reset at once and how long
 * the others lived.
 */
function slowClients(source: string, count: number, runMs: number): Promise<{ resetAtOnce: number; lived: number[]; stillOpen: number }> {
  const script = `
    const net = require('node:net');
    const q = Buffer.from('0040000701000001000000000000066563686f2d310764656661756c74', 'hex');
    const t0 = Date.now(); const resetAtOnce = []; const lived = []; let open = 0;
    for (let i = 0; i < ${count}; i++) {
      const c = net.connect({ port: 53, host: '127.0.0.1', localAddress: '${source}' });
      let sent = 0, connected = false;
      c.on('connect', () => { connected = true; open++; });
      c.on('error', () => {});
      const tick = setInterval(() => { if (sent < q.length) c.write(q.subarray(sent, ++sent)); }, 1000);
      c.on('close', () => {
        clearInterval(tick);
        const ms = Date.now() - t0;
        if (sent === 0 && ms < 500) resetAtOnce.push(ms); else lived.push(ms);
        if (connected) open--;
        if (resetAtOnce.length + lived.length === ${count}) done();
      });
    }
    const done = () => { console.log(JSON.stringify({ resetAtOnce: resetAtOnce.length, lived, stillOpen: open })); process.exit(0); };
    setTimeout(done, ${runMs});`;
  return exec('ip', ['netns', 'exec', LO_NS, NODE_BIN, '-e', script], { timeoutMs: runMs + 10_000 }).then((out) => JSON.parse(out) as { resetAtOnce: number; lived: number[]; stillOpen: number });
}

void describe('node DNS responder asked with dig (127.0.0.1 in a netns)', { skip: !isRoot && 'needs root', timeout: 120_000 }, () => {
  let loServer: ProcessRecord | undefined;
  before(async () => {
    await removeAll();
    tmp = mkdtempSync(path.join(tmpdir(), 'weft-it-dns-'));
    recordsFile = path.join(tmp, 'records.json');
    writeFileSync(recordsFile, JSON.stringify(RECORDS));
    await addNetns(LO_NS);
    const started = await startResponder(['--address', '127.0.0.1'], LO_NS);
    loServer = recordProcess(started.pid);
    assert.equal(started.line, 'listening 127.0.0.1 53');
  });

  after(async () => {
    if (loServer !== undefined) await stopProcess(loServer);
    await removeAll();
    if (tmp !== '') rmSync(tmp, { recursive: true, force: true });
    assert.deepEqual(await netnsList(), []);
  });

  void it('answers service names over UDP and TCP', async () => {
    for (const args of [['echo-1.default.svc.cluster.local'], ['+tcp', 'echo-1.default.svc.clusterset.local']]) {
      const r = await dig(args);
      assert.equal(r.status, 'NOERROR', r.out);
      assert.match(r.answers[0] ?? '', /\sA\s+10\.101\.0\.10$/, r.out);
    }
  });

  void it('echoes the question exactly, an escaped label included (dig drops a mismatch)', async () => {
    const r = await dig(['echo\\.1.default.svc.cluster.local']);
    assert.equal(r.code, 0, r.out);
    assert.doesNotMatch(r.out, /mismatch/, r.out);
    assert.equal(r.status, 'NXDOMAIN', r.out);
    assert.equal(r.question, 'echo\\.1.default.svc.cluster.local.', r.out);
    const mixed = await dig(['EcHo-1.Default.SVC.cluster.local']);
    assert.equal(mixed.question, 'EcHo-1.Default.SVC.cluster.local.', mixed.out);
  });

  void it('answers EDNS version 1 with BADVERS and an OPT of version 0', async () => {
    const r = await dig(['+edns=1', '+noednsnegotiation', 'echo-1.default.svc.cluster.local']);
    assert.equal(r.status, 'BADVERS', r.out);
    assert.match(r.edns ?? '', /^version: 0,/, r.out);
    assert.deepEqual(r.answers, []);
    const plain = await dig(['+edns=0', 'echo-1.default.svc.cluster.local']);
    assert.equal(plain.status, 'NOERROR', plain.out);
  });

  void it('answers two OPT records with FORMERR (dig cannot send them: a raw UDP query)', async () => {
    const opt = '00' + '0029' + '1000' + '00000000' + '0000'; // root, OPT, payload 4096, version 0, no options
    const header = '0042' + '0100' + '0001' + '0000' + '0000' + '0002'; // id 0x42, RD, 1 question, 2 additionals
    const question = '066563686f2d310764656661756c740373766307636c7573746572056c6f63616c00' + '0001' + '0001';
    const hex = header + question + opt + opt;
    const script = `
      const s = require('node:dgram').createSocket('udp4');
      s.on('message', (m) => { console.log(JSON.stringify({ id: m.readUInt16BE(0), rcode: m.readUInt16BE(2) & 15, qd: m.readUInt16BE(4) })); process.exit(0); });
      s.send(Buffer.from('${hex}', 'hex'), 53, '127.0.0.1');
      setTimeout(() => process.exit(3), 3000);`;
    const out = await exec('ip', ['netns', 'exec', LO_NS, NODE_BIN, '-e', script]);
    assert.deepEqual(JSON.parse(out), { id: 0x42, rcode: 1, qd: 1 });
  });

  void it('answers names outside the zones with REFUSED, unknown names inside with NXDOMAIN', async () => {
    for (const name of ['.', 'example.com', 'cluster.local.example.com']) assert.equal((await dig([name])).status, 'REFUSED', name);
    assert.equal((await dig(['nope.default.svc.cluster.local'])).status, 'NXDOMAIN');
    assert.equal((await dig(['echo-1.default.svc.cluster.local', 'AAAA'])).status, 'NOERROR');
  });

  void it('serves DNS over TCP to another source while one holds 64 trickling connections, and closes those on the deadline', async (t) => {
    const slow = slowClients('127.0.0.3', 64, 12_000);
    await new Promise((r) => setTimeout(r, 1500));
    const other = await dig(['+tcp', 'echo-1.default.svc.cluster.local'], '127.0.0.2');
    assert.equal(other.status, 'NOERROR', other.out);
    assert.equal(other.answers.length, 1, other.out);
    const same = await dig(['+tcp', 'echo-1.default.svc.cluster.local'], '127.0.0.3');
    assert.match(same.out, /connection reset/, 'the holding source is over its limit');
    const r = await slow;
    t.diagnostic(`slow client: ${r.resetAtOnce} reset at once, ${r.lived.length} closed after ${Math.min(...r.lived)}-${Math.max(...r.lived)} ms, ${r.stillOpen} still open`);
    assert.equal(r.resetAtOnce, 64 - 16, 'all but the per-client limit of 16 are refused');
    assert.equal(r.lived.length, 16);
    assert.equal(r.stillOpen, 0, 'no trickling connection outlives the deadline');
    for (const ms of r.lived) assert.ok(ms >= 4500 && ms < 7000, `a trickling connection lived ${ms} ms (query deadline 5000 ms)`);
  });
});
