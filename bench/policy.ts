/**
 * Policy enforcement benchmark. Prints ONE JSON line. Needs root; everything
 * it creates (netns wf-bench-pol-*, processes) is removed.
 *
 *   node bench/policy.ts [--seconds 4] [--repeats 3] [--endpoints 10000] [--policies 1000] [--churn 20] [--only throughput|scale]
 *
 * (a) Throughput (iperf3) and new-connection latency from one pod into a
 *     policy-enforcing endpoint (ingress enforced, 1k l4 elements of its own,
 *     10k identities in the ipcache) beside the same path into an endpoint
 *     without policy, same node, same run (variants alternate per repeat).
 * (b) Compile (src/policy/compile.ts PolicyCompiler + compilePolicySets) and
 *     apply (NftTableApplier, one `nft -f`) of `--policies` CiliumNetworkPolicies
 *     over `--endpoints` endpoints (1k apps × 10 replicas, one identity per
 *     replica): each policy selects one app and allows the next app on
 *     tcp/80. Two shapes: a node holding 110 of the endpoints (the kubelet's
 *     default pod limit), and every endpoint local to one node (worst case).
 * (c) One endpoint's churn under the worst-case load: the endpoint removed,
 *     then added back (its elements deleted / added), compile + apply, through
 *     `nft -f` and through a long-lived `nft -i`.
 */
import { parseArgs } from 'node:util';
import { exec } from '../src/util/exec.ts';
import type { NetTools } from '../src/datapath/netTools.ts';
import { compileIpcache } from '../src/datapath/policy/ipcache.ts';
import { NftTableApplier } from '../src/datapath/nft/tableApplier.ts';
import { emptyTableDesired } from '../src/datapath/nft/tablePlan.ts';
import type { NftTableDesired } from '../src/datapath/nft/tablePlan.ts';
import type { PolicyNftDesired } from '../src/datapath/policy/policyCompile.ts';
import { compilePolicySets } from '../src/datapath/policy/policyCompile.ts';
import { spawnNftSession } from '../src/datapath/nft/nftSession.ts';

/** The node's table with this ipcache and these policy sets (no services). */
const table = (ipcache: ReadonlyMap<string, string>, policy?: PolicyNftDesired): NftTableDesired => ({ ...emptyTableDesired(), ipcache, policy: policy?.endpoints ?? new Map() });
import { PolicyCompiler } from '../src/policy/compile.ts';
import type { LocalEndpoint } from '../src/policy/compile.ts';
import { policiesOf } from '../src/policy/testFixtures.ts';
import { clusterIdentity, LABEL, UNENFORCED } from '../src/policy/types.ts';
import type { EndpointPolicy, IdentityInfo } from '../src/policy/types.ts';
import { buildServiceTopology } from './lib/serviceTopology.ts';
import type { ServiceTopology } from './lib/serviceTopology.ts';
import { measureConnects, startIdentServer } from './lib/serviceTraffic.ts';
import { runIperf } from './podTraffic.ts';
import { round2, summary } from './lib/stats.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '4' },
    repeats: { type: 'string', default: '3' },
    endpoints: { type: 'string', default: '10000' },
    policies: { type: 'string', default: '1000' },
    churn: { type: 'string', default: '20' },
    only: { type: 'string', default: '' },
  },
});
const SECONDS = Math.min(Math.max(Number(values.seconds), 1), 30);
const REPEATS = Math.min(Math.max(Number(values.repeats), 1), 10);
const ENDPOINTS = Math.min(Math.max(Number(values.endpoints), 10), 60_000);
const POLICIES = Math.min(Math.max(Number(values.policies), 1), 10_000);
const CHURN = Math.min(Math.max(Number(values.churn), 1), 200);
const log = (msg: string): boolean => process.stderr.write(`${msg}\n`);
const ipOf = (n: number): string => `10.${100 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
const median = (xs: readonly number[]): number => summary(xs).p50;

/** Milliseconds spent in nft processes (the rest of an apply is JavaScript). */
const nftTime = { ms: 0 };

/** nft in the node netns as the agent runs it (nsenter joins only the network namespace). */
function nodeNft(netns: string): NetTools {
  return {
    run: async (tool, args, input) => {
      const t = performance.now();
      try {
        return await exec('nsenter', [`--net=/run/netns/${netns}`, tool, ...args], input === undefined ? {} : { input });
      } finally {
        nftTime.ms += performance.now() - t;
      }
    },
  };
}

// ---- (a) throughput and connect latency -------------------------------------------------------

const IPERF_PORT = 5201;
const CONNECT_PORT = 7000;

async function throughput(topo: ServiceTopology): Promise<Record<string, unknown>> {
  const [enforced, open, client] = topo.pods;
  if (enforced === undefined || open === undefined || client === undefined) throw new Error('topology incomplete');
  const tools = nodeNft(topo.node);
  const clientId = clusterIdentity(1, 5000);
  // 10k identities in the ipcache (the client's among them).
  const ipcache = Array.from({ length: 10_000 }, (_, i) => ({ ip: ipOf(i), identity: clusterIdentity(1 + (i % 2), 256 + (i >> 1)) }));
  ipcache.push({ ip: client.ip, identity: clientId }, { ip: enforced.ip, identity: clusterIdentity(1, 300) }, { ip: open.ip, identity: clusterIdentity(1, 301) });
  const ipc = compileIpcache(ipcache, { selfIp: topo.nodeIp, nodeIps: [] });
  // 1k rules on the enforcing endpoint: 998 other identities on tcp/5201 + the client on 5201 and 7000.
  const l4 = Array.from({ length: 998 }, (_, i) => ({ identity: clusterIdentity(1, 256 + i), proto: 'tcp' as const, port: IPERF_PORT }));
  l4.push({ identity: clientId, proto: 'tcp', port: IPERF_PORT }, { identity: clientId, proto: 'tcp', port: CONNECT_PORT });
  const policy: EndpointPolicy = { namespace: 'bench', pod: 'enforced', ip: enforced.ip, identity: clusterIdentity(1, 300), ingress: { enforced: true, allowAll: false, l3: [], l4, l4Any: [] }, egress: UNENFORCED };
  const desired = compilePolicySets([policy]);
  await new NftTableApplier(tools).sync(table(ipc, desired));
  const elements = [...desired.endpoints.values()].reduce((n, e) => n + [...e.sets.values()].reduce((m, s) => m + s.length, 0), 0);
  const servers = [await startIdentServer(enforced.netns, 'enforced', CONNECT_PORT, 'tcp'), await startIdentServer(open.netns, 'open', CONNECT_PORT, 'tcp')];
  const gbps: Record<'policy' | 'noPolicy', number[]> = { policy: [], noPolicy: [] };
  const connect: Record<'policy' | 'noPolicy', number[]> = { policy: [], noPolicy: [] };
  try {
    for (let r = 0; r < REPEATS; r++) {
      const order: ('policy' | 'noPolicy')[] = r % 2 === 0 ? ['policy', 'noPolicy'] : ['noPolicy', 'policy'];
      for (const v of order) {
        const target = v === 'policy' ? enforced : open;
        const res = await runIperf(target.netns, target.ip, client.netns, SECONDS, IPERF_PORT);
        gbps[v].push(res.bitsPerSecond / 1e9);
        const c = await measureConnects(client.netns, target.ip, CONNECT_PORT, 500, 50);
        if (c.failures > 0) throw new Error(`${v}: ${c.failures} connects failed`);
        connect[v].push(...c.samplesUs);
        log(`  repeat ${r + 1} ${v}: ${round2(res.bitsPerSecond / 1e9)} Gbit/s, connect p50 ${round2(summary(c.samplesUs).p50)} µs`);
      }
    }
  } finally {
    for (const s of servers) await s.stop();
  }
  const p = median(gbps.policy);
  const n = median(gbps.noPolicy);
  const cp = summary(connect.policy);
  const cn = summary(connect.noPolicy);
  return {
    ipcacheEntries: ipcache.length,
    endpointElements: elements,
    gbpsPolicy: round2(p),
    gbpsNoPolicy: round2(n),
    gbpsRuns: { policy: gbps.policy.map(round2), noPolicy: gbps.noPolicy.map(round2) },
    ratio: round2(p / n),
    target: 0.95,
    connectUs: { policy: { p50: round2(cp.p50), p99: round2(cp.p99) }, noPolicy: { p50: round2(cn.p50), p99: round2(cn.p99) } },
  };
}

// ---- (b) + (c) compile and apply at scale ------------------------------------------------------

const APPS = 1000;

function syntheticMesh(): { identities: IdentityInfo[]; endpoints: LocalEndpoint[]; yaml: string } {
  const identities: IdentityInfo[] = [];
  const endpoints: LocalEndpoint[] = [];
  for (let i = 0; i < ENDPOINTS; i++) {
    const labels = { app: `app-${i % APPS}`, replica: `r${Math.floor(i / APPS)}`, [LABEL.namespace]: 'bench', [LABEL.cluster]: 'cluster1', [`${LABEL.namespaceLabelsPrefix}kubernetes.io/metadata.name`]: 'bench' };
    const info = { id: clusterIdentity(1, 256 + i), cluster: 'cluster1', labels };
    identities.push(info);
    endpoints.push({ namespace: 'bench', pod: `pod-${i}`, ip: ipOf(i), identity: info.id, labels, namedPorts: [] });
  }
  const docs: string[] = [];
  for (let j = 0; j < POLICIES; j++) {
    docs.push(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: pol-${j}, namespace: bench }
spec:
  endpointSelector: { matchLabels: { app: app-${j % APPS} } }
  ingress:
  - fromEndpoints: [ { matchLabels: { app: app-${(j + 1) % APPS} } } ]
    toPorts: [ { ports: [ { port: "80", protocol: TCP } ] } ]
`);
  }
  return { identities, endpoints, yaml: docs.join('---\n') };
}

async function scale(topo: ServiceTopology): Promise<Record<string, unknown>> {
  const tools = nodeNft(topo.node);
  const mesh = syntheticMesh();
  let t = performance.now();
  const policies = policiesOf(mesh.yaml);
  const parseMs = round2(performance.now() - t);
  const ipc = compileIpcache(mesh.endpoints, { selfIp: topo.nodeIp, nodeIps: [] });
  await new NftTableApplier(tools).sync(table(ipc));
  const out: Record<string, unknown> = { endpoints: ENDPOINTS, identities: mesh.identities.length, policies: policies.length, parseYamlMs: parseMs };
  for (const [shape, local] of [
    ['node110', mesh.endpoints.slice(0, 110)],
    ['allLocal', mesh.endpoints],
  ] as const) {
    await exec('nsenter', [`--net=/run/netns/${topo.node}`, 'nft', 'flush', 'set', 'inet', 'weft', 'pol-in-l4'], { okCodes: [0, 1] });
    await exec('nsenter', [`--net=/run/netns/${topo.node}`, 'nft', 'flush', 'set', 'inet', 'weft', 'pol-in-enforced'], { okCodes: [0, 1] });
    const compiler = new PolicyCompiler();
    const input = { cluster: 'cluster1', defaultLocalCluster: true, policies, endpoints: local, identities: mesh.identities };
    t = performance.now();
    const verdicts = compiler.compile(input);
    const compileMs = performance.now() - t;
    t = performance.now();
    const desired = compilePolicySets(verdicts);
    const setsMs = performance.now() - t;
    const applier = new NftTableApplier(tools);
    nftTime.ms = 0;
    t = performance.now();
    const r = await applier.sync(table(ipc, desired));
    const applyMs = performance.now() - t;
    const applyNftMs = nftTime.ms;
    const figures: Record<string, unknown> = {
      localEndpoints: local.length,
      elements: r.changes.policy.elementsAdded,
      compileMs: round2(compileMs),
      compileSetsMs: round2(setsMs),
      applyMs: round2(applyMs),
      applyInNftMs: round2(applyNftMs),
      totalMs: round2(compileMs + setsMs + applyMs),
      target: 2000,
    };
    if (shape === 'allLocal') figures['churn'] = await churn(tools, topo.node, compiler, input, applier, ipc);
    log(`  ${shape}: ${JSON.stringify(figures)}`);
    out[shape] = figures;
  }
  return out;
}

type CompileInput = Parameters<PolicyCompiler['compile']>[0];

/** Remove then re-add one endpoint (the first: selected by a policy, 11 elements) CHURN times; compile + apply each step. */
async function churn(tools: NetTools, netns: string, compiler: PolicyCompiler, input: CompileInput, fileApplier: NftTableApplier, ipc: ReadonlyMap<string, string>): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const session = spawnNftSession(['nsenter', `--net=/run/netns/${netns}`, 'nft']);
  const sessionApplier = new NftTableApplier(tools, { session: () => session });
  await sessionApplier.sync(table(ipc, compilePolicySets(compiler.compile(input))));
  try {
    for (const [name, applier] of [
      ['nftFile', fileApplier],
      ['nftSession', sessionApplier],
    ] as const) {
      const ms: number[] = [];
      const compileMs: number[] = [];
      const setsMs: number[] = [];
      let elements = 0;
      const without = { ...input, endpoints: input.endpoints.slice(1) };
      for (let k = 0; k < CHURN; k++) {
        for (const step of [without, input]) {
          const t = performance.now();
          const verdicts = compiler.compile(step);
          const tv = performance.now();
          const desired = compilePolicySets(verdicts);
          const tc = performance.now();
          const r = await applier.sync(table(ipc, desired));
          ms.push(performance.now() - t);
          compileMs.push(tv - t);
          setsMs.push(tc - tv);
          elements = Math.max(elements, r.changes.policy.elementsAdded + r.changes.policy.elementsRemoved);
        }
      }
      const s = summary(ms);
      out[name] = { steps: ms.length, elementsPerStep: elements, p50Ms: round2(s.p50), p99Ms: round2(s.p99), maxMs: round2(s.max), policyCompileP50Ms: round2(summary(compileMs).p50), compileSetsP50Ms: round2(summary(setsMs).p50), target: 50 };
    }
  } finally {
    await sessionApplier.close();
  }
  return out;
}

async function main(): Promise<void> {
  const topo = await buildServiceTopology('wf-bench-pol-', 3);
  try {
    let a: Record<string, unknown> | undefined;
    let b: Record<string, unknown> | undefined;
    if (values.only !== 'scale') {
      log('(a) throughput into a policy-enforcing endpoint vs no policy');
      a = await throughput(topo);
      log(`  ${JSON.stringify(a)}`);
    }
    if (values.only !== 'throughput') {
      log(`(b, c) ${POLICIES} policies over ${ENDPOINTS} endpoints`);
      b = await scale(topo);
    }
    process.stdout.write(`${JSON.stringify({ bench: 'policy', date: new Date().toISOString(), throughput: a, scale: b })}\n`);
  } finally {
    await topo.cleanup();
  }
}

await main();
