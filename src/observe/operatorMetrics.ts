/**
 * The operator's Prometheus metrics (prom-client), one registry per operator:
 * per connected remote cluster its connection state, readiness, the objects
 * its reflector mirrors by kind, failures (read from the reflector's views at
 * scrape time), the time of its last sync into the local cache and the
 * propagation delay of its live changes (reported by the reflector), plus
 * prom-client's process metrics. Served on the operator's `/metrics` (:9963).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { STATUS_KINDS, type RemoteView } from '../model/remoteStatus.ts';
import type { RouteAnswer } from './daemonHttp.ts';

/** What the reflector reports per remote (a fake records it in tests). */
export interface MeshMetrics {
  /** The remote's state was written to the local cache (a commit, or a new connection's first list). */
  synced(remote: string): void;
  /** A live change of the remote reached the local cache `seconds` after it was seen. */
  propagated(remote: string, seconds: number): void;
  /** The remote was disconnected: its series go. */
  forget(remote: string): void;
}

export interface OperatorMetricsSources {
  readonly cluster: string;
  /** The reflector's views of its connections (none without a reflector). */
  readonly remotes?: () => readonly RemoteView[];
  /** prom-client's process metrics (default on). */
  readonly processMetrics?: boolean;
  readonly now?: () => number;
}

export interface OperatorMetrics {
  readonly registry: Registry;
  readonly mesh: MeshMetrics;
  scrape(): Promise<RouteAnswer>;
}

export function createOperatorMetrics(src: OperatorMetricsSources): OperatorMetrics {
  const registry = new Registry();
  const registers = [registry];
  const now = src.now ?? Date.now;
  if (src.processMetrics !== false) collectDefaultMetrics({ register: registry });
  const views = (): readonly RemoteView[] => src.remotes?.() ?? [];

  new Gauge({ name: 'weft_operator_info', help: 'The operator: its cluster (always 1)', labelNames: ['cluster'], registers }).set({ cluster: src.cluster }, 1);
  new Gauge({ name: 'weft_clustermesh_remote_clusters', help: 'Remote clusters configured (connection records)', registers, collect() { this.set(views().length); } });
  const perRemote = (name: string, help: string, value: (v: RemoteView) => number): void => {
    new Gauge({
      name,
      help,
      labelNames: ['remote'],
      registers,
      collect() {
        this.reset();
        for (const v of views()) this.set({ remote: v.name }, value(v));
      },
    });
  };
  perRemote('weft_clustermesh_remote_connected', 'Whether the reflector is connected to the remote cluster (1) or not (0)', (v) => (v.connected ? 1 : 0));
  perRemote('weft_clustermesh_remote_ready', 'Connected, first full list written to the local cache and the remote sync marker seen (1) or not (0)', (v) => (v.connected && v.listed && v.markerSeen ? 1 : 0));
  new Gauge({
    name: 'weft_clustermesh_remote_objects',
    help: "Objects of the remote cluster held in the local cache, by kind",
    labelNames: ['remote', 'kind'],
    registers,
    collect() {
      this.reset();
      for (const v of views()) for (const kind of STATUS_KINDS) this.set({ remote: v.name, kind }, v.counts[kind]);
    },
  });
  new Counter({
    name: 'weft_clustermesh_remote_failures_total',
    help: 'Failed connections and sessions to the remote cluster since the operator started',
    labelNames: ['remote'],
    registers,
    collect() {
      this.reset();
      for (const v of views()) this.inc({ remote: v.name }, v.failures);
    },
  });
  const lastSync = new Gauge({ name: 'weft_clustermesh_remote_last_sync_timestamp_seconds', help: "Unix time of the last write of the remote cluster's state to the local cache", labelNames: ['remote'], registers });
  const delay = new Histogram({
    name: 'weft_clustermesh_propagation_delay_seconds',
    help: "Time from a remote cluster's change seen by the reflector (its etcd watch event) to its write to the local cache committed",
    labelNames: ['remote'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });

  return {
    registry,
    mesh: {
      synced: (remote) => lastSync.set({ remote }, now() / 1000),
      propagated: (remote, seconds) => delay.observe({ remote }, seconds),
      forget: (remote) => {
        lastSync.remove({ remote });
        delay.remove({ remote });
      },
    },
    scrape: async () => ({ status: 200, contentType: registry.contentType, body: await registry.metrics() }),
  };
}
