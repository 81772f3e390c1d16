/**
 * What `weft status` and `weft clustermesh status` show from the daemons'
 * own metrics (pure): per agent its health, last datapath sync, sync errors
 * and endpoints; per remote cluster what its operator's metrics say. The
 * I/O (daemonProbe.ts) is done by the commands.
 */
import { AGENT_HTTP_PORT, OPERATOR_HTTP_PORT } from './daemonHttp.ts';
import { samplesOf, valueOf } from './exposition.ts';
import type { HealthProbe, MetricsScrape } from './daemonProbe.ts';

export interface AgentHealth {
  readonly node: string;
  /** The agent's HTTP base URL (http://<node ip>:9962). */
  readonly url: string;
  readonly healthy: boolean;
  /** ISO time of the last successful datapath sync; '' when unknown or never. */
  readonly lastSync: string;
  readonly syncErrors: number | null;
  readonly endpoints: number | null;
  /** What failed ('' when health and metrics answered). */
  readonly error: string;
}

export function agentUrlOf(nodeIp: string): string {
  return `http://${nodeIp}:${AGENT_HTTP_PORT}`;
}

/** The operator's HTTP base URL: it runs beside the cluster's etcd (the context's first endpoint host). */
export function operatorUrlOf(etcdEndpoints: readonly string[]): string | undefined {
  const first = etcdEndpoints[0];
  if (first === undefined) return undefined;
  try {
    return `http://${new URL(first.includes('://') ? first : `http://${first}`).hostname}:${OPERATOR_HTTP_PORT}`;
  } catch {
    return undefined;
  }
}

const isoOf = (seconds: number | undefined): string => (seconds === undefined || seconds <= 0 ? '' : new Date(seconds * 1000).toISOString());

export function agentHealthOf(node: string, url: string, health: HealthProbe, metrics: MetricsScrape): AgentHealth {
  const s = metrics.ok ? metrics.samples : [];
  return {
    node,
    url,
    healthy: health.ok,
    lastSync: isoOf(valueOf(s, 'weft_datapath_last_sync_timestamp_seconds')),
    syncErrors: metrics.ok ? (valueOf(s, 'weft_datapath_sync_errors_total') ?? null) : null,
    endpoints: metrics.ok ? (valueOf(s, 'weft_endpoints') ?? null) : null,
    error: [health.error, metrics.ok ? '' : metrics.error].filter((e) => e !== '').join('; '),
  };
}

export interface RemoteMetrics {
  readonly connected: boolean;
  readonly ready: boolean;
  /** ISO time of the last write of the remote's state to the local cache; '' when never. */
  readonly lastSync: string;
  readonly failures: number;
}

export interface OperatorMetricsView {
  readonly url: string;
  readonly reachable: boolean;
  readonly error: string;
  readonly remotes: Readonly<Record<string, RemoteMetrics>>;
}

export function operatorMetricsOf(url: string, metrics: MetricsScrape): OperatorMetricsView {
  if (!metrics.ok) return { url, reachable: false, error: metrics.error, remotes: {} };
  const s = metrics.samples;
  const remotes: Record<string, RemoteMetrics> = {};
  for (const c of samplesOf(s, 'weft_clustermesh_remote_connected')) {
    const remote = c.labels['remote'];
    if (remote === undefined) continue;
    remotes[remote] = {
      connected: c.value === 1,
      ready: valueOf(s, 'weft_clustermesh_remote_ready', { remote }) === 1,
      lastSync: isoOf(valueOf(s, 'weft_clustermesh_remote_last_sync_timestamp_seconds', { remote })),
      failures: valueOf(s, 'weft_clustermesh_remote_failures_total', { remote }) ?? 0,
    };
  }
  return { url, reachable: true, error: '', remotes };
}

/** `3s ago`, `2m5s ago`, `never`. */
export function ago(iso: string, nowMs: number): string {
  if (iso === '') return 'never';
  const s = Math.max(0, Math.round((nowMs - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60}s ago`;
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m ago`;
}

/** One line per agent for `weft status`: `n1  ✅ healthy  last datapath sync 2s ago, 0 sync errors, 1 endpoints`. */
export function formatAgentLine(a: AgentHealth, nowMs: number): string {
  if (!a.healthy && a.error !== '' && a.syncErrors === null) return `${a.node}: ❌ unreachable (${a.error})`;
  const parts = [`last datapath sync ${ago(a.lastSync, nowMs)}`, `${a.syncErrors ?? '?'} sync errors`, `${a.endpoints ?? '?'} endpoints`];
  return `${a.node}: ${a.healthy ? '✅ healthy' : '❌ unhealthy'}, ${parts.join(', ')}${a.error === '' ? '' : ` (${a.error})`}`;
}

/** The line `clustermesh status` adds under a connection: what the operator's metrics say of it. */
export function formatRemoteMetricsLine(op: OperatorMetricsView | undefined, remote: string, nowMs: number): string {
  if (op === undefined) return '  └ operator metrics: no operator address';
  if (!op.reachable) return `  └ operator metrics: ❌ unreachable (${op.error})`;
  const r = op.remotes[remote];
  if (r === undefined) return `  └ operator metrics (${op.url}): no series for ${remote}`;
  return `  └ operator metrics: ${r.connected ? 'connected' : 'not connected'}, ${r.ready ? 'ready' : 'not ready'}, last sync ${ago(r.lastSync, nowMs)}, ${r.failures} failures`;
}
