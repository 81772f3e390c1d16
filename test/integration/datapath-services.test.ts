/**
 * Service load-balancing in nftables on real namespaces (netns wf-it-svc-*):
 * one node, three pods wired like the CNI, servers in p1 and p2 that answer
 * with their name. Compile + NftTableApplier program VIPs; traffic from a pod,
 * from the node itself and from a backend to itself (hairpin), TCP and UDP;
 * a VIP without backends is refused at once; an established connection
 * survives a restarted applier; backend removal and service deletion.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildServiceTopology } from '../../bench/lib/serviceTopology.ts';
import type { ServicePod, ServiceTopology } from '../../bench/lib/serviceTopology.ts';
import { holdConnection, probeService, startIdentServer } from '../../bench/lib/serviceTraffic.ts';
import type { ProbeResult } from '../../bench/lib/serviceTraffic.ts';
import type { RunningServer } from '../../bench/podTraffic.ts';
import { netnsNetTools, recordingNetTools } from '../../src/datapath/netTools.ts';
import type { NetTools, RecordedCall } from '../../src/datapath/netTools.ts';
import { spawnNftSession } from '../../src/datapath/nft/nftSession.ts';
import type { NftSession } from '../../src/datapath/nft/nftSession.ts';
import { NftTableApplier } from '../../src/datapath/nft/tableApplier.ts';
import { emptyTableDesired } from '../../src/datapath/nft/tablePlan.ts';
import type { NftTableDesired } from '../../src/datapath/nft/tablePlan.ts';
import { compileServices } from '../../src/datapath/services/servicesCompile.ts';
import { frontendElements, parseServiceState } from '../../src/datapath/services/servicesKernel.ts';
import type { Frontend, FrontendBackend } from '../../src/datapath/services/serviceTypes.ts';
import { be, fe } from '../../src/datapath/services/testFixtures.ts';

let topo: ServiceTopology;
let tools: NetTools & { calls: RecordedCall[] };
let svc: NftTableApplier;
/** The node's table holding only these services (no ipcache, no policy). */
const table = (frontends: Frontend[]): NftTableDesired => ({ ...emptyTableDesired(), services: compileServices(frontends) });
const servers: RunningServer[] = [];
const sessionLines: string[][] = [];

/** A real `nft -i` in the node netns that records what it applies. */
function recordingSession(): NftSession {
  const s = spawnNftSession(['ip', 'netns', 'exec', topo.node, 'nft']);
  return {
    apply: (lines) => {
      sessionLines.push([...lines]);
      return s.apply(lines);
    },
    close: () => s.close(),
  };
}
const WEB = '10.96.0.10';
const DNS = '10.96.0.20';
const EMPTY = '10.96.0.30';

function pod(i: number): ServicePod {
  const p = topo.pods[i];
  if (p === undefined) throw new Error(`no pod ${i}`);
  return p;
}

function frontends(webBackends: ServicePod[]): Frontend[] {
  const on = (p: ServicePod, port: number): FrontendBackend => be(p.ip, port);
  return [
    fe('web', WEB, 80, 'TCP', webBackends.map((p) => on(p, 8080))),
    fe('dns', DNS, 53, 'UDP', [on(pod(0), 5353), on(pod(1), 5353)]),
    fe('empty', EMPTY, 80, 'TCP', []),
    fe('empty', EMPTY, 53, 'UDP', []),
  ];
}

function assertSpread(r: ProbeResult, names: string[], min: number, what: string): void {
  assert.deepEqual(r.errors, {}, `${what}: failures ${JSON.stringify(r.errors)}`);
  assert.deepEqual(Object.keys(r.counts).sort(), names, `${what}: answered by ${JSON.stringify(r.counts)}`);
  for (const n of names) assert.ok((r.counts[n] ?? 0) >= min, `${what}: ${n} answered ${r.counts[n] ?? 0} times (< ${min}): ${JSON.stringify(r.counts)}`);
}

async function kernel(): Promise<ReturnType<typeof parseServiceState>> {
  return parseServiceState(await netnsNetTools(topo.node).run('nft', ['-j', 'list', 'table', 'inet', 'weft']));
}

before(async () => {
  topo = await buildServiceTopology('wf-it-svc-', 3);
  for (const p of [pod(0), pod(1)]) {
    servers.push(await startIdentServer(p.netns, p.name, 8080, 'tcp'));
    servers.push(await startIdentServer(p.netns, p.name, 5353, 'udp'));
  }
  tools = recordingNetTools(netnsNetTools(topo.node));
  svc = new NftTableApplier(tools);
  const r = await svc.sync(table(frontends([pod(0), pod(1)])));
  assert.equal(r.commands, 2, 'first sync: one read, one transaction');
});

after(async () => {
  await svc.close();
  for (const s of servers) await s.stop();
  await topo.cleanup();
});

void describe('service load-balancing in nftables', () => {
  void it('spreads new connections from a pod over both backends', async () => {
    assertSpread(await probeService(pod(2).netns, WEB, 80, 'tcp', { count: 200, timeoutMs: 1000 }), ['p1', 'p2'], 40, 'p3 → web');
  });

  void it('works from the node itself', async () => {
    assertSpread(await probeService(topo.node, WEB, 80, 'tcp', { count: 100, timeoutMs: 1000 }), ['p1', 'p2'], 15, 'node → web');
  });

  void it('hairpin: a backend reaching its own service sometimes lands on itself, and that works', async () => {
    assertSpread(await probeService(pod(0).netns, WEB, 80, 'tcp', { count: 100, timeoutMs: 1000 }), ['p1', 'p2'], 15, 'p1 → web');
  });

  void it('load-balances UDP', async () => {
    assertSpread(await probeService(pod(2).netns, DNS, 53, 'udp', { count: 100, timeoutMs: 1000 }), ['p1', 'p2'], 15, 'p3 → dns (udp)');
  });

  void it('a service without backends is refused at once (TCP reset, ICMP port unreachable), from a pod and from the node', async () => {
    for (const [from, proto, port] of [
      [pod(2).netns, 'tcp', 80],
      [topo.node, 'tcp', 80],
      [pod(2).netns, 'udp', 53],
      [topo.node, 'udp', 53],
    ] as const) {
      const r = await probeService(from, EMPTY, port, proto, { count: 5, timeoutMs: 3000 });
      assert.deepEqual(r.errors, { ECONNREFUSED: 5 }, `${from} → ${EMPTY}:${port}/${proto}: ${JSON.stringify(r)}`);
      const worst = Math.max(...r.failUs);
      assert.ok(worst < 1_000_000, `${from} → ${EMPTY}:${port}/${proto}: refused after ${worst} µs (≥ 1 s)`);
    }
  });

  void it('another port of a ClusterIP is refused, never answered by a listener on the node', async () => {
    const onNode = await startIdentServer(topo.node, 'node', 9999, 'tcp');
    try {
      for (const vip of [WEB, EMPTY]) {
        const r = await probeService(pod(2).netns, vip, 9999, 'tcp', { count: 3, timeoutMs: 3000 });
        assert.deepEqual(r.errors, { ECONNREFUSED: 3 }, `${vip}:9999 → ${JSON.stringify(r)}`);
      }
    } finally {
      await onNode.stop();
    }
  });

  void it('the same state again runs no nft command', async () => {
    const before = tools.calls.length;
    const r = await svc.sync(table(frontends([pod(0), pod(1)])));
    assert.equal(r.commands, 0);
    assert.equal(tools.calls.length, before);
  });

  void it('an established connection survives a restarted applier, which changes no element', async () => {
    const held = holdConnection(pod(2).netns, WEB, 80, 3000, 50);
    assert.match(await held.connected, /^p[12]$/);
    const restartedTools = recordingNetTools(netnsNetTools(topo.node));
    const restarted = new NftTableApplier(restartedTools, { session: recordingSession });
    const r = await restarted.sync(table(frontends([pod(0), pod(1)])));
    assert.equal(r.fullResync, true);
    assert.deepEqual(r.changes.services, { frontendsChanged: 0, chainsAdded: 0, chainsRewritten: 0, chainsDeleted: 0, elementsAdded: 0, elementsDeleted: 0 });
    const text = restartedTools.calls.map((c) => c.input ?? '').join('');
    assert.doesNotMatch(text, /(flush|delete) (table|map|set)|element|svc-lb/);
    const res = await held.result;
    assert.equal(res.closed, false, `connection closed: ${JSON.stringify(res)}`);
    assert.ok(res.sent >= 30 && res.received === res.sent, `pings sent ${res.sent}, echoed ${res.received}`);
    await svc.close();
    svc = restarted;
    tools = restartedTools;
  });

  void it('a long-lived nft -i applies a transaction atomically and reports nft\'s error', async () => {
    const s = spawnNftSession(['ip', 'netns', 'exec', topo.node, 'nft']);
    try {
      await assert.rejects(
        s.apply(['add element inet weft svc-vips { 10.96.9.9 }', 'add element inet weft no-such-set { 10.96.9.9 }']),
        /Error: No such file or directory/,
      );
      assert.equal((await kernel()).vips.has('10.96.9.9'), false, 'nothing of a failed transaction applied');
      await s.apply(['add element inet weft svc-vips { 10.96.9.9 }', 'delete element inet weft svc-vips { 10.96.9.9 }']);
    } finally {
      await s.close();
    }
  });

  void it('removing a backend changes only that service (one nft -i transaction), and only the remaining backend is used', async () => {
    const calls = tools.calls.length;
    const r = await svc.sync(table(frontends([pod(0)])));
    assert.equal(r.commands, 1);
    assert.equal(tools.calls.length, calls, 'no nft process: the session applied it');
    const lines = sessionLines.at(-1) ?? [];
    for (const l of lines.filter((x) => x.includes('element'))) assert.match(l, /10\.96\.0\.10 /, `line touches another service: ${l}`);
    // svc-lb-tcp-1 comes, svc-lb-tcp-2 goes (dns uses svc-lb-udp-2).
    assert.deepEqual(r.changes.services, { frontendsChanged: 1, chainsAdded: 1, chainsRewritten: 0, chainsDeleted: 1, elementsAdded: 1, elementsDeleted: 2 });
    const web = (await kernel()).frontends.get(`${WEB} . tcp . 80`);
    assert.ok(web);
    assert.deepEqual([...frontendElements(web).endpoints], [[`${WEB} . 80 . 0`, `${pod(0).ip} . 8080`]]);
    assertSpread(await probeService(pod(2).netns, WEB, 80, 'tcp', { count: 60, timeoutMs: 1000 }), ['p1'], 60, 'p3 → web (p1 only)');
    assertSpread(await probeService(pod(2).netns, DNS, 53, 'udp', { count: 60, timeoutMs: 1000 }), ['p1', 'p2'], 5, 'p3 → dns (unchanged)');
  });

  void it('deleting a service removes all of its nft state; deleting every service leaves no element and no svc-lb chain', async () => {
    const [, dns, ...empties] = frontends([pod(0)]);
    assert.ok(dns);
    await svc.sync(table([dns, ...empties]));
    const st = await kernel();
    assert.deepEqual([...st.frontends.keys()].sort(), [`${DNS} . udp . 53`, `${EMPTY} . tcp . 80`, `${EMPTY} . udp . 53`], 'nothing of web left');
    const refused = await probeService(pod(2).netns, WEB, 80, 'tcp', { count: 1, timeoutMs: 1500 });
    assert.equal(refused.counts['p1'], undefined, 'web is no longer load-balanced');

    await svc.sync(table([]));
    const empty = await kernel();
    assert.equal(empty.frontends.size, 0);
    assert.deepEqual([...empty.chains.keys()], []);
    const text = await netnsNetTools(topo.node).run('nft', ['list', 'table', 'inet', 'weft']);
    // svc-rejects holds the flow records of connections refused for want of backends (weft observe's
    // REJECTED flows, expiring after 10 min): history, not service state, so it is left out here.
    const serviceState = text.replace(/\tset svc-rejects \{[\s\S]*?\n\t\}\n/, '');
    assert.notEqual(serviceState, text, 'the svc-rejects set is there');
    assert.doesNotMatch(serviceState, /svc-lb-|10\.96\.|10\.244\./);
  });
});
