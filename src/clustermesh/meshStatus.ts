/**
 * `weft clustermesh status` (pure part): what the cluster knows of its mesh,
 * summarised the way `cilium clustermesh status` shows it (seed 000).
 */
import type { AgentMeshStatus } from '../model/agentMeshStatus.ts';
import type { NodeState } from '../model/state.ts';
import type { RemoteStatus } from '../model/remoteStatus.ts';
import { formatRemoteMetricsLine, type OperatorMetricsView } from '../observe/statusMetrics.ts';

export interface MeshStatusInput {
  readonly cluster: string;
  readonly accessEndpoints: readonly string[];
  readonly tls: boolean;
  readonly nodes: readonly NodeState[];
  readonly agents: readonly AgentMeshStatus[];
  /** Remote clusters with a connection record. */
  readonly remotes: readonly string[];
  readonly remoteStatus: ReadonlyMap<string, RemoteStatus>;
  readonly globalServices: number;
}

export interface RemoteConnection {
  readonly name: string;
  /** Nodes whose agent has the remote configured (every node, once the record exists). */
  readonly configured: number;
  /** Nodes whose agent sees the remote's synced cache while the operator's reflector is ready. */
  readonly connected: number;
  readonly total: number;
  readonly ready: boolean;
  readonly lastFailure: string;
  readonly failures: number;
}

export interface MeshProblem {
  readonly message: string;
  readonly hint: string;
}

export interface MeshStatusReport {
  readonly cluster: string;
  readonly ok: boolean;
  readonly access: { readonly endpoints: readonly string[]; readonly tls: boolean };
  readonly nodes: { readonly total: number; readonly connectedToAll: number; readonly min: number; readonly avg: number; readonly max: number };
  readonly connections: readonly RemoteConnection[];
  readonly globalServices: { readonly min: number; readonly avg: number; readonly max: number };
  readonly problems: readonly MeshProblem[];
}

export function meshStatusReport(input: MeshStatusInput): MeshStatusReport {
  const problems: MeshProblem[] = [];
  if (!input.tls) problems.push({ message: 'cluster mesh is not enabled (etcd speaks plain HTTP)', hint: `run \`weft clustermesh enable --context ${input.cluster}\`` });
  const total = input.nodes.length;
  const agentByNode = new Map(input.agents.map((a) => [a.node, a]));
  const readyRemotes = input.remotes.filter((r) => input.remoteStatus.get(r)?.ready === true);
  const perNode = input.nodes.map((n) => {
    const seen = new Set(agentByNode.get(n.name)?.remotes ?? []);
    return readyRemotes.filter((r) => seen.has(r)).length;
  });
  const connections = input.remotes.map((name): RemoteConnection => {
    const st = input.remoteStatus.get(name);
    const ready = st?.ready === true;
    const connected = ready ? input.nodes.filter((n) => agentByNode.get(n.name)?.remotes.includes(name) === true).length : 0;
    if (st === undefined) problems.push({ message: `${name}: the operator has not reported on this remote yet`, hint: `check the operator: weft lab status; its log is in the lab state dir` });
    else if (!st.connected) problems.push({ message: `${name}: not connected${st.lastFailure ? `: ${st.lastFailure}` : ''}`, hint: `check that ${name}'s etcd is running and reachable (weft lab status)` });
    else if (!ready) problems.push({ message: `${name}: connected, initial sync not complete`, hint: `wait, or check ${name}'s operator (it writes the sync marker)` });
    else if (connected < total) problems.push({ message: `${name}: ${total - connected} node(s) have not synced its state`, hint: 'check the agents: weft lab status' });
    return { name, configured: total, connected, total, ready, lastFailure: st?.lastFailure ?? '', failures: st?.failures ?? 0 };
  });
  const min = perNode.length === 0 ? 0 : Math.min(...perNode);
  const max = perNode.length === 0 ? 0 : Math.max(...perNode);
  const avg = perNode.length === 0 ? 0 : perNode.reduce((a, b) => a + b, 0) / perNode.length;
  const connectedToAll = perNode.filter((c) => c === input.remotes.length).length;
  const g = input.globalServices;
  return {
    cluster: input.cluster,
    ok: problems.length === 0,
    access: { endpoints: input.accessEndpoints, tls: input.tls },
    nodes: { total, connectedToAll, min, avg, max },
    connections,
    globalServices: { min: g, avg: g, max: g },
    problems,
  };
}

function hostPort(url: string): string {
  return url.replace(/^[a-z]+:\/\//, '');
}

/**
 * The human rendering, shaped like `cilium clustermesh status`. With the
 * operator's metrics (`metrics`), each connection gets a line of what they say
 * (`null`: the command has no operator address).
 */
export function formatMeshStatus(r: MeshStatusReport, metrics?: { readonly operator: OperatorMetricsView | undefined; readonly nowMs: number }): string {
  const lines: string[] = [];
  lines.push(`${r.access.endpoints.length > 0 ? '✅' : '❌'} Cluster access information is available:`);
  for (const e of r.access.endpoints) lines.push(`  - ${hostPort(e)}`);
  lines.push(`${r.access.tls ? '✅' : '❌'} etcd serves mutual TLS with client-certificate RBAC`);
  const n = r.nodes;
  const range = `[min:${n.min} / avg:${n.avg.toFixed(1)} / max:${n.max}]`;
  if (r.connections.length === 0) lines.push(`ℹ️  ${n.total} nodes, not connected to any cluster`);
  else if (n.connectedToAll === n.total) lines.push(`✅ All ${n.total} nodes are connected to all clusters ${range}`);
  else lines.push(`❌ ${n.connectedToAll}/${n.total} nodes are connected to all clusters ${range}`);
  lines.push('🔌 Cluster Connections:');
  for (const c of r.connections) {
    lines.push(`- ${c.name}: ${c.configured}/${c.total} configured, ${c.connected}/${c.total} connected${c.ready ? '' : ' ❌'}`);
    if (metrics !== undefined) lines.push(formatRemoteMetricsLine(metrics.operator, c.name, metrics.nowMs));
  }
  const g = r.globalServices;
  lines.push(`🔀 Global services: [ min:${g.min} / avg:${g.avg.toFixed(1)} / max:${g.max} ]`);
  if (r.problems.length > 0) {
    lines.push('');
    lines.push('❌ Errors:');
    for (const p of r.problems) lines.push(`  - ${p.message}\n    hint: ${p.hint}`);
  }
  return lines.join('\n');
}
