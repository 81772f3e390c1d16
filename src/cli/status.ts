/**
 * `weft status [--verbose]`: the cluster's health in the shape of
 * `cilium status --verbose` (seed 003), with its ClusterMesh section.
 */
import type { Command } from 'commander';
import type { MeshFacts } from '../clustermesh/meshStatusRead.ts';
import { readMeshFacts } from '../clustermesh/meshStatusRead.ts';
import { outputOption } from './config.ts';
import { withKv } from './kv.ts';
import { printJson } from './output.ts';
import { agentHealthOf, agentUrlOf, formatAgentLine, type AgentHealth } from '../observe/statusMetrics.ts';
import { probeHealthz, scrapeMetrics } from '../observe/daemonProbe.ts';
import type { NodeState } from '../model/state.ts';

export interface ClusterStatusView {
  readonly kvstore: { readonly ok: boolean; readonly endpoints: readonly string[]; readonly tls: boolean; readonly error: string };
  readonly cluster: { readonly name: string; readonly id: number | null; readonly routing: string; readonly podCIDRs: readonly string[]; readonly serviceCIDR: string };
  readonly nodes: { readonly ready: number; readonly total: number };
  /** Per node, what its agent's /healthz and /metrics say (empty when not probed). */
  readonly agents: readonly AgentHealth[];
  readonly clustermesh: {
    readonly ready: number;
    readonly total: number;
    readonly globalServices: number;
    readonly remotes: readonly {
      readonly name: string;
      readonly ready: boolean;
      readonly connected: boolean;
      readonly nodes: number;
      readonly endpoints: number;
      readonly identities: number;
      readonly services: number;
      readonly failures: number;
      readonly lastFailure: string;
      readonly lastFailureAt: string;
      readonly synced: Readonly<Record<string, boolean>>;
    }[];
  };
}

export function clusterStatusView(f: MeshFacts, agents: readonly AgentHealth[] = []): ClusterStatusView {
  const remotes = f.remotes.map((name) => {
    const s = f.remoteStatus.get(name);
    return {
      name,
      ready: s?.ready ?? false,
      connected: s?.connected ?? false,
      nodes: s?.counts.nodes ?? 0,
      endpoints: s?.counts.endpoints ?? 0,
      identities: s?.counts.identities ?? 0,
      services: s?.counts.services ?? 0,
      failures: s?.failures ?? 0,
      lastFailure: s?.lastFailure ?? '',
      lastFailureAt: s?.lastFailureAt ?? '',
      synced: { ...(s?.synced ?? {}) },
    };
  });
  return {
    kvstore: { ok: true, endpoints: f.accessEndpoints, tls: f.tls, error: '' },
    cluster: {
      name: f.cluster,
      id: f.config?.id ?? null,
      routing: f.config?.routingMode ?? 'unknown',
      podCIDRs: f.config?.podCIDRs ?? [],
      serviceCIDR: f.config?.serviceCIDR ?? '',
    },
    nodes: { ready: f.nodes.filter((n) => n.ready).length, total: f.nodes.length },
    agents,
    clustermesh: { ready: remotes.filter((r) => r.ready).length, total: remotes.length, globalServices: f.globalServices, remotes },
  };
}

const mark = (b: boolean): string => (b ? '✅' : '❌');

/** Each node's agent: /healthz and /metrics on <node ip>:9962, in parallel. */
export async function probeAgents(nodes: readonly NodeState[]): Promise<AgentHealth[]> {
  return Promise.all(
    nodes.map(async (n) => {
      const url = agentUrlOf(n.ip);
      const [health, metrics] = await Promise.all([probeHealthz(`${url}/healthz`), scrapeMetrics(`${url}/metrics`)]);
      return agentHealthOf(n.name, url, health, metrics);
    }),
  );
}

export function formatClusterStatus(v: ClusterStatusView, verbose: boolean, nowMs = Date.now()): string {
  const pad = (k: string): string => `${k}:`.padEnd(16);
  const lines = [
    `${pad('KVStore')}${v.kvstore.ok ? 'Ok' : 'Failure'}   etcd: ${v.kvstore.endpoints.length}/${v.kvstore.endpoints.length} connected${v.kvstore.tls ? ' (mTLS)' : ''}: ${v.kvstore.endpoints.join(', ')}`,
    `${pad('Cluster')}${v.cluster.name} (id ${v.cluster.id ?? '?'}), routing ${v.cluster.routing}, pods ${v.cluster.podCIDRs.join(',')}, services ${v.cluster.serviceCIDR}`,
    `${pad('Nodes')}${v.nodes.ready}/${v.nodes.total} ready`,
    ...(v.agents.length === 0 ? [] : [`${pad('Agents')}${v.agents.filter((a) => a.healthy).length}/${v.agents.length} healthy`, ...v.agents.map((a) => `   ${formatAgentLine(a, nowMs)}`)]),
    `${pad('ClusterMesh')}${v.clustermesh.ready}/${v.clustermesh.total} clusters ready, ${v.clustermesh.globalServices} global-services`,
  ];
  if (verbose) {
    for (const r of v.clustermesh.remotes) {
      const last = r.lastFailure === '' ? 'never' : `${r.lastFailureAt} ${r.lastFailure}`;
      lines.push(`   ${r.name}: ${r.ready ? 'ready' : 'not-ready'}, ${r.nodes} nodes, ${r.endpoints} endpoints, ${r.identities} identities, ${r.services} services, ${r.failures} failures (last: ${last})`);
      const synced = Object.entries(r.synced).map(([k, ok]) => `${k} ${mark(ok)}`).join(' ');
      lines.push(`   └  etcd: ${r.connected ? '1/1' : '0/1'} connected, synced: ${synced || 'no'}`);
    }
  }
  return lines.join('\n');
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description("cluster health, like `cilium status`: etcd, nodes, each node's agent (health, last datapath sync, sync errors, endpoints: its /healthz and /metrics on :9962); --verbose adds the ClusterMesh details")
    .option('--verbose', 'per-remote-cluster details')
    .addOption(outputOption())
    .action(async (opts: { verbose?: boolean; output: string }, cmd: Command) => {
      await withKv(cmd, async (kv, ctx) => {
        const facts = await readMeshFacts(kv, ctx);
        const view = clusterStatusView(facts, await probeAgents(facts.nodes));
        if (opts.output === 'json') printJson(view);
        else process.stdout.write(`${formatClusterStatus(view, opts.verbose === true)}\n`);
      });
    });
}
