/**
 * `weft lab up / status / process / down` for real (root): netns, underlay,
 * etcd reachable from the root netns, restart of recorded processes, and a
 * down that leaves nothing behind. The CLI runs as a subprocess.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLI_ENTRY, NODE_BIN } from '../../src/util/paths.ts';
import { isAlive, recordProcess, stopProcess } from '../../src/util/proc.ts';
import type { ProcessRecord } from '../../src/util/proc.ts';
import { createEtcdKv } from '../../src/kvstore/etcd.ts';
import { keys } from '../../src/kvstore/keys.ts';
import type { LabStatus } from '../../src/lab/status.ts';
import { LabState } from '../../src/lab/state.ts';

const NAME = 'it-lab';
const ID = 240;
const CP_IP = '172.30.240.10';
const N1_IP = '172.30.240.11';
const ENDPOINT = `http://${CP_IP}:2379`;
const isRoot = process.getuid?.() === 0;

let home = '';
let fakePod: ProcessRecord | undefined;
const FAKE_POD_NETNS = `wf-${NAME}_n1_xfake`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function weft(...args: string[]): Run {
  const r = spawnSync(NODE_BIN, ['--no-warnings=ExperimentalWarning', CLI_ENTRY, ...args], {
    env: { ...process.env, WEFT_HOME: home },
    encoding: 'utf8',
    timeout: 150_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function ok(r: Run, what: string): Run {
  assert.equal(r.code, 0, `${what} failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

function netnsList(): string[] {
  try {
    return readdirSync('/run/netns');
  } catch {
    return [];
  }
}

function clusterNetns(prefix: string): string[] {
  return netnsList().filter((n) => n.startsWith(prefix));
}

function linkExists(link: string, netns?: string): boolean {
  const args = netns === undefined ? ['link', 'show', 'dev', link] : ['-n', netns, 'link', 'show', 'dev', link];
  return spawnSync('ip', args, { stdio: 'ignore' }).status === 0;
}

/** The underlay netns or weft0 exists (the underlay is machine-wide: labs of other WEFT_HOMEs, e.g. a concurrently running test file, share it). */
function underlayPresent(): boolean {
  return netnsList().includes('wf-underlay') || linkExists('weft0');
}

/** Host ports on the underlay bridge that are not this test's (u<ID>-*): those of labs of another WEFT_HOME. */
function otherUnderlayPorts(): string[] {
  const r = spawnSync('ip', ['-n', 'wf-underlay', '-j', 'link', 'show'], { encoding: 'utf8' });
  if (r.status !== 0) return [];
  const links = JSON.parse(r.stdout.trim() === '' ? '[]' : r.stdout) as { ifname?: string }[];
  return links.map((l) => l.ifname ?? '').filter((n) => /^u\d+-/.test(n) && !n.startsWith(`u${ID}-`));
}

function inNetns(netns: string, ...cmd: string[]): string {
  const r = spawnSync('ip', ['netns', 'exec', netns, ...cmd], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(r.status, 0, `${cmd.join(' ')} in ${netns}: ${r.stderr}`);
  return r.stdout.trim();
}

/** etcd's /health asked from the root netns (a fresh connection each time: etcd restarts in between). */
function etcdHealthFromRoot(): string {
  const r = spawnSync('curl', ['-s', '--max-time', '5', `${ENDPOINT}/health`], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(r.status, 0, `curl ${ENDPOINT}/health: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { health: string }).health;
}

/** Was the agent written yet? Without it nodes never become ready, so `lab up` must not wait. */
function daemonsAvailable(): boolean {
  const r = spawnSync(NODE_BIN, ['--no-warnings=ExperimentalWarning', CLI_ENTRY, 'agent', '--help'], { encoding: 'utf8' });
  const o = spawnSync(NODE_BIN, ['--no-warnings=ExperimentalWarning', CLI_ENTRY, 'operator', '--help'], { encoding: 'utf8' });
  return r.status === 0 && o.status === 0;
}

function status(): LabStatus {
  return JSON.parse(ok(weft('lab', 'status', '--output', 'json'), 'lab status').stdout) as LabStatus;
}

/** Every process the lab state records, with its start time. */
function allRecorded(): ProcessRecord[] {
  const state = LabState.parse(JSON.parse(readFileSync(path.join(home, 'lab', 'state.json'), 'utf8')));
  return state.clusters.flatMap((c) =>
    c.hosts.flatMap((h) => h.processes.flatMap((p) => (p.pid === null || p.startTime === null ? [] : [{ pid: p.pid, startTime: p.startTime }]))),
  );
}

let sharedUnderlay = false;

before(() => {
  if (!isRoot) return;
  home = mkdtempSync(path.join(tmpdir(), 'weft-it-lab-'));
  // Another lab on this machine (the demo's in the default WEFT_HOME, or another test file's) may share the underlay; then it must survive this test.
  sharedUnderlay = netnsList().includes('wf-underlay');
});

after(async () => {
  if (!isRoot) return;
  weft('lab', 'down', '--name', NAME);
  if (fakePod !== undefined) await stopProcess(fakePod);
  spawnSync('ip', ['netns', 'del', FAKE_POD_NETNS], { stdio: 'ignore' });
  rmSync(home, { recursive: true, force: true });
});

void test('invalid input fails clearly and creates nothing', { skip: !isRoot && 'needs root' }, () => {
  const cases: [string[], string][] = [
    [['--name', 'Bad_Name', '--id', '240', '--pod-cidr', '10.240.0.0/16', '--service-cidr', '10.140.0.0/16'], '"Bad_Name"'],
    [['--name', '-x', '--id', '240', '--pod-cidr', '10.240.0.0/16', '--service-cidr', '10.140.0.0/16'], '"-x"'],
    [['--name', NAME, '--id', '240', '--pod-cidr', '10.240.0.0/33', '--service-cidr', '10.140.0.0/16'], '10.240.0.0/33'],
    [['--name', NAME, '--id', '240', '--pod-cidr', '10.240.0.1/16', '--service-cidr', '10.140.0.0/16'], '10.240.0.1/16'],
    [['--name', NAME, '--id', '300', '--pod-cidr', '10.240.0.0/16', '--service-cidr', '10.140.0.0/16'], 'cluster id 300 is out of range 1-255'],
    [['--name', NAME, '--id', '240', '--pod-cidr', '172.30.0.0/20', '--service-cidr', '10.140.0.0/16'], 'underlay 172.30.0.0/16'],
  ];
  for (const [args, mention] of cases) {
    const r = weft('lab', 'up', '--no-wait', ...args);
    assert.notEqual(r.code, 0, `lab up ${args.join(' ')} should fail`);
    assert.ok(r.stderr.includes(mention), `stderr should mention ${mention}: ${r.stderr}`);
    assert.equal(existsSync(path.join(home, 'lab')), false, 'no lab state created');
    assert.deepEqual(clusterNetns(`wf-${NAME}_`), [], 'no netns created');
    // An underlay that is there now belongs to another lab (present before, or built meanwhile by another test file).
    assert.ok(!underlayPresent() || sharedUnderlay || otherUnderlayPorts().length > 0, 'no underlay created');
  }
});

void test('lab up, status, restart, down', { skip: !isRoot && 'needs root' }, async () => {
  const wait = daemonsAvailable();
  const up = ok(
    weft('lab', 'up', '--name', NAME, '--id', String(ID), '--nodes', '1', '--pod-cidr', '10.240.0.0/16', '--service-cidr', '10.140.0.0/16',
      '--routing', 'native', ...(wait ? [] : ['--no-wait'])),
    'lab up',
  );
  assert.match(up.stdout, /✅ etcd healthy at http:\/\/172\.30\.240\.10:2379/);
  assert.ok(up.stdout.includes(`weft --context ${NAME} get pods`), up.stdout);
  assert.ok(up.stdout.includes(`weft lab down --name ${NAME}`));

  // Netns, underlay, addressing, sysctls.
  for (const ns of ['wf-underlay', `wf-${NAME}_cp`, `wf-${NAME}_n1`]) assert.ok(netnsList().includes(ns), `netns ${ns}`);
  assert.ok(linkExists('weft0'), 'weft0 in the root netns');
  assert.ok(linkExists(`u${ID}-cp`, 'wf-underlay') && linkExists(`u${ID}-n1`, 'wf-underlay'));
  assert.match(inNetns(`wf-${NAME}_n1`, 'ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0'), new RegExp(`${N1_IP}/16`));
  assert.equal(inNetns(`wf-${NAME}_n1`, 'sysctl', '-n', 'net.ipv4.ip_forward'), '1');
  assert.equal(inNetns(`wf-${NAME}_n1`, 'sysctl', '-n', 'net.ipv4.conf.all.rp_filter'), '0');
  assert.match(inNetns(`wf-${NAME}_cp`, 'ip', '-o', 'link', 'show', 'dev', 'lo'), /UP/);

  // etcd from the root netns (through weft0) and from the node host.
  assert.equal(etcdHealthFromRoot(), 'true');
  assert.match(inNetns(`wf-${NAME}_n1`, 'curl', '-s', '--max-time', '5', `${ENDPOINT}/health`), /"health":"true"/);
  const kv = createEtcdKv({ endpoints: [ENDPOINT] });
  try {
    const cfg = await kv.get(keys.clusterConfig(NAME));
    assert.ok(cfg !== undefined, 'cluster config written');
    assert.deepEqual(JSON.parse(cfg.value), {
      id: ID, name: NAME, podCIDRs: ['10.240.0.0/16'], serviceCIDR: '10.140.0.0/16', routingMode: 'native', nodeCidrMaskSize: 24, capabilities: [],
    });
  } finally {
    await kv.close();
  }

  // Status.
  const st = status();
  assert.equal(st.underlay?.present, true);
  const c = st.clusters.find((x) => x.name === NAME);
  assert.ok(c !== undefined);
  assert.equal(c.phase, 'ready');
  assert.deepEqual(c.hosts.map((h) => [h.name, h.ip, h.netnsPresent]), [['cp', CP_IP, true], ['n1', N1_IP, true]]);
  const procs = c.hosts.flatMap((h) => h.processes.map((p) => `${h.name}/${p.name}`));
  assert.deepEqual(procs, ['cp/etcd', 'cp/operator', 'n1/agent']);
  assert.ok(c.hosts[0]!.processes[0]!.alive, 'etcd alive');
  if (wait) for (const h of c.hosts) for (const p of h.processes) assert.ok(p.alive, `${h.name}/${p.name} alive`);
  assert.match(ok(weft('lab', 'status'), 'lab status').stdout, /it-lab.*cp.*172\.30\.240\.10/);
  // Each daemon runs in its host's netns but in the root mount namespace, so
  // netns it creates for pods (ip netns add) are visible to everyone.
  for (const h of c.hosts) {
    for (const p of h.processes) {
      if (!p.alive || p.pid === null) continue;
      assert.equal(readlinkSync(`/proc/${p.pid}/ns/net`), `net:[${statSync(`/run/netns/${h.netns}`).ino}]`, `${h.name}/${p.name} netns`);
      assert.equal(readlinkSync(`/proc/${p.pid}/ns/mnt`), readlinkSync('/proc/self/ns/mnt'), `${h.name}/${p.name} mount namespace`);
    }
  }

  // Context.
  assert.equal(ok(weft('config', 'current-context'), 'current-context').stdout.trim(), NAME);
  const ctxs = JSON.parse(ok(weft('config', 'get-contexts', '--output', 'json'), 'get-contexts').stdout) as { current: string; contexts: { name: string; endpoints: string[] }[] };
  assert.deepEqual(ctxs.contexts.find((x) => x.name === NAME)?.endpoints, [ENDPOINT]);

  // Conflicts with the running cluster fail and create nothing.
  const dupId = weft('lab', 'up', '--no-wait', '--name', 'it-lab2', '--id', String(ID), '--pod-cidr', '10.242.0.0/16', '--service-cidr', '10.142.0.0/16');
  assert.notEqual(dupId.code, 0);
  assert.ok(dupId.stderr.includes('cluster id 240') && dupId.stderr.includes('"it-lab2"') && dupId.stderr.includes(`"${NAME}"`), dupId.stderr);
  const overlap = weft('lab', 'up', '--no-wait', '--name', 'it-lab3', '--id', '239', '--pod-cidr', '10.140.0.0/20', '--service-cidr', '10.143.0.0/16');
  assert.notEqual(overlap.code, 0);
  assert.ok(overlap.stderr.includes('10.140.0.0/20') && overlap.stderr.includes(`"${NAME}"`), overlap.stderr);
  const dupName = weft('lab', 'up', '--no-wait', '--name', NAME, '--id', '238', '--pod-cidr', '10.238.0.0/16', '--service-cidr', '10.138.0.0/16');
  assert.notEqual(dupName.code, 0);
  assert.ok(dupName.stderr.includes('already exists'), dupName.stderr);
  assert.deepEqual([...clusterNetns('wf-it-lab2_'), ...clusterNetns('wf-it-lab3_')], []);
  assert.equal(existsSync(path.join(home, 'lab', 'it-lab2')), false);
  assert.deepEqual(status().clusters.map((x) => x.name), [NAME]);

  // Restart: the recorded PID goes, a new one is recorded and runs.
  for (const [host, proc] of [['n1', 'agent'], ['cp', 'etcd']] as const) {
    const before = status().clusters[0]!.hosts.find((h) => h.name === host)!.processes.find((p) => p.name === proc)!;
    const r = JSON.parse(ok(weft('lab', 'process', 'restart', '--name', NAME, '--host', host, '--process', proc, '-o', 'json'), `restart ${proc}`).stdout) as {
      previousPid: number | null;
      pid: number;
      alive: boolean;
    };
    if (before.alive) assert.equal(r.previousPid, before.pid);
    assert.notEqual(r.pid, before.pid);
    assert.ok(r.alive);
    const afterRestart = status().clusters[0]!.hosts.find((h) => h.name === host)!.processes.find((p) => p.name === proc)!;
    assert.equal(afterRestart.pid, r.pid);
    assert.ok(afterRestart.alive);
  }
  assert.equal(etcdHealthFromRoot(), 'true');

  // Stop / start.
  ok(weft('lab', 'process', 'stop', '--name', NAME, '--host', 'cp', '--process', 'operator'), 'stop operator');
  assert.equal(status().clusters[0]!.hosts[0]!.processes[1]!.alive, false);
  ok(weft('lab', 'process', 'stop', '--name', NAME, '--host', 'cp', '--process', 'operator'), 'stop operator again');
  const unknown = weft('lab', 'process', 'stop', '--name', NAME, '--host', 'n7', '--process', 'agent');
  assert.notEqual(unknown.code, 0);
  assert.ok(unknown.stderr.includes('"n7"'), unknown.stderr);
  if (wait) {
    ok(weft('lab', 'process', 'start', '--name', NAME, '--host', 'cp', '--process', 'operator'), 'start operator');
    assert.equal(status().clusters[0]!.hosts[0]!.processes[1]!.alive, true);
  }

  // A pod the agent recorded: its process is stopped and its netns deleted by down.
  spawnSync('ip', ['netns', 'add', FAKE_POD_NETNS]);
  const child = spawn('ip', ['netns', 'exec', FAKE_POD_NETNS, 'sleep', '300'], { detached: true, stdio: 'ignore' });
  child.unref();
  await new Promise((r) => setTimeout(r, 200));
  fakePod = recordProcess(child.pid!);
  const podsDir = path.join(home, 'lab', NAME, 'n1', 'pods');
  mkdirSync(podsDir, { recursive: true });
  writeFileSync(path.join(podsDir, 'zz-fake.json'), JSON.stringify({ netns: FAKE_POD_NETNS, processes: [fakePod] }));

  // Down leaves nothing.
  const recorded = allRecorded();
  assert.ok(recorded.length >= 2, 'processes recorded');
  const down = ok(weft('lab', 'down', '--name', NAME), 'lab down');
  assert.match(down.stdout, /✅ Lab cluster it-lab removed/);
  assert.deepEqual(clusterNetns(`wf-${NAME}_`), []);
  assert.equal(linkExists(`u${ID}-cp`, 'wf-underlay') || linkExists(`u${ID}-n1`, 'wf-underlay'), false, 'our underlay veths removed');
  // The underlay goes with the last cluster; it is kept only for labs of another WEFT_HOME (another test file may run meanwhile).
  const kept = /Lab underlay kept: clusters of another WEFT_HOME still use it \(([^)]*)\)/.exec(down.stdout);
  if (kept !== null) assert.doesNotMatch(kept[1] ?? '', new RegExp(`\\bu${ID}-`), 'kept for other labs only');
  else assert.ok(!underlayPresent() || otherUnderlayPorts().length > 0, 'underlay netns and weft0 removed with the last cluster (kept when shared)');
  assert.equal(isAlive(fakePod), false, 'pod process stopped');
  for (const rec of recorded) assert.equal(isAlive(rec), false, `pid ${rec.pid} stopped`);
  assert.equal(existsSync(path.join(home, 'lab')), false, 'lab state removed');
  assert.notEqual(weft('config', 'current-context').code, 0, 'context removed');
  assert.deepEqual(status().clusters, []);

  // Idempotent.
  ok(weft('lab', 'down', '--name', NAME), 'second lab down');
  ok(weft('lab', 'down'), 'lab down (all)');
});
