/**
 * Policy enforcement in nftables on real namespaces (netns wf-it-pol-*): one
 * node, four pods wired like the CNI, identities in the ipcache. An ingress
 * policy allowing identity A on TCP 6379 (A answered, B dropped and recorded
 * in the drop sets); an egress policy; an established connection survives the
 * removal of its allowance while a new one is dropped; the service hairpin
 * still works on an enforcing endpoint; a restarted applier changes nothing.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildServiceTopology } from '../../bench/lib/serviceTopology.ts';
import type { ServicePod, ServiceTopology } from '../../bench/lib/serviceTopology.ts';
import { holdConnection, probeService, startIdentServer } from '../../bench/lib/serviceTraffic.ts';
import type { RunningServer } from '../../bench/podTraffic.ts';
import { netnsNetTools, recordingNetTools } from '../../src/datapath/netTools.ts';
import { compileIpcache } from '../../src/datapath/policy/ipcache.ts';
import { NftTableApplier } from '../../src/datapath/nft/tableApplier.ts';
import { readPolicySets } from '../../src/datapath/nft/tableKernel.ts';
import { compileNftTable } from '../../src/datapath/nft/nftTable.ts';
import type { NftTableDesired } from '../../src/datapath/nft/tablePlan.ts';
import { compilePolicySets } from '../../src/datapath/policy/policyCompile.ts';
import { readEndpointDropCounts, readPolicyDrops } from '../../src/datapath/policy/policyDrops.ts';
import { compileServices } from '../../src/datapath/services/servicesCompile.ts';
import { UNENFORCED } from '../../src/policy/types.ts';
import type { DirectionVerdict, EndpointPolicy } from '../../src/policy/types.ts';

let topo: ServiceTopology;
let policy: NftTableApplier;
let ipcache: ReadonlyMap<string, string>;
const servers: RunningServer[] = [];

const ID = { db: 0x10101, a: 0x10100, b: 0x10200, c: 0x10300 } as const;
const WEB = '10.96.0.10';

function pod(i: number): ServicePod {
  const p = topo.pods[i];
  if (p === undefined) throw new Error(`no pod ${i}`);
  return p;
}
const db = (): ServicePod => pod(0);
const podA = (): ServicePod => pod(1);
const podB = (): ServicePod => pod(2);
const podC = (): ServicePod => pod(3);

const deny: DirectionVerdict = { enforced: true, allowAll: false, l3: [], l4: [], l4Any: [] };
function policies(dbIngress: DirectionVerdict): EndpointPolicy[] {
  const ep = (p: ServicePod, identity: number, ingress: DirectionVerdict, egress: DirectionVerdict): EndpointPolicy => ({ namespace: 'default', pod: p.name, ip: p.ip, identity, ingress, egress });
  return [
    ep(db(), ID.db, dbIngress, UNENFORCED),
    ep(podA(), ID.a, UNENFORCED, UNENFORCED),
    ep(podB(), ID.b, UNENFORCED, UNENFORCED),
    // C may talk to A on tcp/7000 only.
    ep(podC(), ID.c, UNENFORCED, { ...deny, l4: [{ identity: ID.a, proto: 'tcp', port: 7000 }] }),
  ];
}
const allowA: DirectionVerdict = { ...deny, l4: [{ identity: ID.a, proto: 'tcp', port: 6379 }] };

/** The node's table: the web service (backend: the db), the ipcache, these policies. */
function table(p: EndpointPolicy[]): NftTableDesired {
  const be = { ip: db().ip, port: 8080, cluster: 'c1', preferred: true };
  return {
    services: compileServices([{ namespace: 'default', name: 'web', clusterIP: WEB, port: 80, protocol: 'TCP', backends: [be], allBackends: [be] }]),
    ipcache,
    policy: compilePolicySets(p).endpoints,
  };
}

const probe = (from: ServicePod, ip: string, port: number, count = 1, timeoutMs = 1000): ReturnType<typeof probeService> => probeService(from.netns, ip, port, 'tcp', { count, timeoutMs });

before(async () => {
  topo = await buildServiceTopology('wf-it-pol-', 4);
  servers.push(await startIdentServer(db().netns, 'db', 6379, 'tcp'));
  servers.push(await startIdentServer(db().netns, 'db-web', 8080, 'tcp'));
  for (const p of [podA(), podB()]) servers.push(await startIdentServer(p.netns, p.name, 7000, 'tcp'));
  const tools = netnsNetTools(topo.node);
  const endpoints = [
    { ip: db().ip, identity: ID.db },
    { ip: podA().ip, identity: ID.a },
    { ip: podB().ip, identity: ID.b },
    { ip: podC().ip, identity: ID.c },
  ];
  ipcache = compileIpcache(endpoints, { selfIp: topo.nodeIp, nodeIps: [] });
  policy = new NftTableApplier(tools);
  await policy.sync(table(policies(allowA)));
});

after(async () => {
  await policy.close();
  for (const s of servers) await s.stop();
  await topo.cleanup();
});

void describe('policy enforcement in nftables', () => {
  void it('ingress: identity A is answered on tcp/6379, B is dropped, and the drop is counted per endpoint and per flow', async () => {
    assert.deepEqual((await probe(podA(), db().ip, 6379, 3)).counts, { db: 3 });
    const b = await probe(podB(), db().ip, 6379, 1, 500);
    assert.deepEqual(b.errors, { TIMEOUT: 1 }, JSON.stringify(b));
    const drops = await readPolicyDrops(netnsNetTools(topo.node));
    const flow = drops.flows.find((f) => f.direction === 'ingress' && f.saddr === podB().ip);
    assert.ok(flow, `no ingress drop record from B: ${JSON.stringify(drops)}`);
    assert.deepEqual({ ...flow, packets: 0, bytes: 0, expiresS: 0 }, {
      direction: 'ingress', saddr: podB().ip, daddr: db().ip, proto: 'tcp', port: 6379, peerIdentity: ID.b, packets: 0, bytes: 0, expiresS: 0,
    });
    assert.ok(flow.packets >= 1);
    const counts = await readEndpointDropCounts(netnsNetTools(topo.node));
    assert.ok((counts.get(db().ip)?.ingress ?? 0) >= 1, JSON.stringify([...counts]));
    assert.equal(counts.get(podA().ip), undefined, 'A dropped nothing');
  });

  void it('egress: C reaches A on tcp/7000, its connection to B is dropped and recorded as egress', async () => {
    assert.deepEqual((await probe(podC(), podA().ip, 7000, 2)).counts, { p2: 2 });
    assert.deepEqual((await probe(podC(), podB().ip, 7000, 1, 500)).errors, { TIMEOUT: 1 });
    const drops = await readPolicyDrops(netnsNetTools(topo.node));
    const flow = drops.flows.find((f) => f.direction === 'egress' && f.saddr === podC().ip && f.daddr === podB().ip);
    assert.equal(flow?.peerIdentity, ID.b, JSON.stringify(drops.flows));
    assert.equal(flow.port, 7000);
  });

  void it('an established allowed connection survives a policy change removing its allowance; a new one is then dropped', async () => {
    const held = holdConnection(podA().netns, db().ip, 6379, 2000, 50);
    assert.equal(await held.connected, 'db');
    const tools = recordingNetTools(netnsNetTools(topo.node));
    const r = await new NftTableApplier(tools).sync(table(policies(deny)));
    assert.deepEqual(r.changes.policy, { endpoints: 1, elementsAdded: 0, elementsRemoved: 1 });
    // A new applier's one transaction: the static table, then the difference.
    const sent = tools.calls.at(-1)?.input ?? '';
    assert.ok(sent.startsWith(compileNftTable()), sent.slice(0, 200));
    assert.equal(sent.slice(compileNftTable().length), `delete element inet weft pol-in-l4 { ${db().ip} . 0x10100 . tcp . 6379 }\n`);
    assert.deepEqual((await probe(podA(), db().ip, 6379, 1, 500)).errors, { TIMEOUT: 1 });
    const res = await held.result;
    assert.equal(res.closed, false, JSON.stringify(res));
    assert.ok(res.sent >= 20 && res.received === res.sent, `pings sent ${res.sent}, echoed ${res.received}`);
    // Another applier changed the kernel behind `policy`'s shadow: it re-reads and re-adds the allowance.
    policy.markDirty();
    const back = await policy.sync(table(policies(allowA)));
    assert.deepEqual(back.changes.policy, { endpoints: 1, elementsAdded: 1, elementsRemoved: 0 });
  });

  void it('hairpin: the db reaches itself through its service despite its ingress policy; B through the service is dropped', async () => {
    assert.deepEqual((await probe(db(), WEB, 80, 3)).counts, { 'db-web': 3 });
    assert.deepEqual((await probe(podB(), WEB, 80, 1, 500)).errors, { TIMEOUT: 1 });
  });

  void it('a restarted applier reads the kernel and changes nothing; removing every policy restores access', async () => {
    const tools = recordingNetTools(netnsNetTools(topo.node));
    const restarted = new NftTableApplier(tools);
    const r = await restarted.sync(table(policies(allowA)));
    assert.equal(r.fullResync, true);
    assert.equal(r.lines, 0);
    assert.doesNotMatch(tools.calls.map((c) => c.input ?? '').join(''), /(flush|delete) (table|map|set)|element/);
    await restarted.sync(table([]));
    assert.equal((await readPolicySets(netnsNetTools(topo.node))).size, 0);
    assert.deepEqual((await probe(podB(), db().ip, 6379, 2)).counts, { db: 2 });
  });
});
