/**
 * The agent's Prometheus metrics (prom-client), one registry per agent: the
 * datapath sync (duration, errors, last success), what table `inet weft`
 * holds by kind, local endpoints, known identities, forwarded packets and
 * policy drops (the datapath's own named counters and drop records, read at
 * scrape time), DNS queries by rcode (the responder's stats) and latency,
 * plus prom-client's process metrics. Served on the agent's `/metrics`
 * (:9962). Every name is listed in the README (Observability › Metrics).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { NftTableDesired } from '../datapath/nft/tablePlan.ts';
import type { DropCounter, DropFlow } from '../datapath/policy/policyDrops.ts';
import { POLICY_DIRECTIONS } from '../datapath/nft/nftTable.ts';
import type { DnsServerStats } from '../dns/server.ts';
import type { RouteAnswer } from './daemonHttp.ts';

export const NFT_ELEMENT_KINDS = ['services', 'backends', 'ipcache', 'policy'] as const;
export type NftElementKind = (typeof NFT_ELEMENT_KINDS)[number];
export type NftElementCounts = Record<NftElementKind, number>;

/** What one datapath sync leaves in the table (pure): frontends, their backends, ipcache entries, policy set elements. */
export function nftElementCounts(desired: NftTableDesired): NftElementCounts {
  let backends = 0;
  for (const f of desired.services.frontends.values()) backends += f.backends.length;
  let policy = 0;
  for (const ep of desired.policy.values()) for (const elems of ep.sets.values()) policy += elems.length;
  return { services: desired.services.frontends.size, backends, ipcache: desired.ipcache.size, policy };
}

/** What DatapathSync reports after each sync (a fake records it in tests). */
export interface DatapathMetrics {
  synced(seconds: number, elements: NftElementCounts, localEndpoints: number): void;
  failed(seconds: number): void;
}

export interface DropRecords {
  readonly counters: ReadonlyMap<string, DropCounter>;
  readonly flows: readonly DropFlow[];
}

export interface AgentMetricsSources {
  readonly cluster: string;
  readonly node: string;
  /** The DNS responder's counters (exposed, not counted again). */
  readonly dns?: () => DnsServerStats;
  /** Identities the agent knows: its cluster's and the remotes' (mesh cache). */
  readonly identities?: () => { readonly local: number; readonly remote: number };
  /** The datapath's named counters and drop records (read from nft at scrape time). */
  readonly dropRecords?: () => Promise<DropRecords>;
  /** Flows recorded so far by verdict and drop reason (the flow ring's counts). */
  readonly flows?: () => readonly { verdict: string; reason: string; count: number }[];
  /** Where a failed read of a source is reported (the scrape still answers). */
  readonly onCollectError?: (source: string, err: unknown) => void;
  /** prom-client's process metrics (default on). */
  readonly processMetrics?: boolean;
}

export interface AgentMetrics {
  readonly registry: Registry;
  readonly datapath: DatapathMetrics;
  /** One DNS query answered in `seconds` (the responder's hook). */
  readonly dnsQuery: (seconds: number) => void;
  /** The `/metrics` answer. */
  scrape(): Promise<RouteAnswer>;
}

export function createAgentMetrics(src: AgentMetricsSources): AgentMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (src.processMetrics !== false) collectDefaultMetrics({ register: registry });
  /** Source reads under way in this scrape (the error counter, registered last, waits for them). */
  const reads = new Set<Promise<unknown>>();
  const collectErrors = new Counter({
    name: 'weft_metrics_collect_errors_total',
    help: 'Reads of a metrics source that failed during a scrape',
    labelNames: ['source'],
    registers: [],
    async collect() {
      await Promise.all([...reads]);
    },
  });
  const guard = async (source: string, read: () => void | Promise<void>): Promise<void> => {
    try {
      await read();
    } catch (err) {
      collectErrors.inc({ source });
      src.onCollectError?.(source, err);
    }
  };

  new Gauge({ name: 'weft_agent_info', help: 'The agent: its cluster and node (always 1)', labelNames: ['cluster', 'node'], registers }).set({ cluster: src.cluster, node: src.node }, 1);
  const duration = new Histogram({
    name: 'weft_datapath_sync_duration_seconds',
    help: 'Duration of one datapath sync (compile, routes, the one nft transaction)',
    labelNames: ['outcome'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const errors = new Counter({ name: 'weft_datapath_sync_errors_total', help: 'Datapath syncs that failed (the next one reads the table back)', registers });
  const lastSync = new Gauge({ name: 'weft_datapath_last_sync_timestamp_seconds', help: 'Unix time of the last successful datapath sync', registers });
  const elements = new Gauge({ name: 'weft_nftables_elements', help: 'Elements in table inet weft by kind (service frontends, their backends, ipcache entries, policy set elements)', labelNames: ['kind'], registers });
  const endpoints = new Gauge({ name: 'weft_endpoints', help: 'Endpoints (pods) on this node in the datapath', registers });
  errors.inc(0);
  for (const kind of NFT_ELEMENT_KINDS) elements.set({ kind }, 0);

  const identities = src.identities;
  if (identities !== undefined) {
    new Gauge({
      name: 'weft_identities',
      help: 'Security identities the agent knows, of its cluster (local) and of connected clusters (remote)',
      labelNames: ['origin'],
      registers,
      collect() {
        const n = identities();
        this.set({ origin: 'local' }, n.local);
        this.set({ origin: 'remote' }, n.remote);
      },
    });
  }

  const dns = src.dns;
  if (dns !== undefined) {
    new Counter({
      name: 'weft_dns_queries_total',
      help: 'DNS queries answered by the node responder, by response code',
      labelNames: ['rcode'],
      registers,
      collect() {
        this.reset();
        for (const [rcode, n] of Object.entries(dns().rcodes)) this.inc({ rcode }, n);
      },
    });
    new Counter({ name: 'weft_dns_dropped_messages_total', help: 'DNS messages dropped unanswered (not a query)', registers, collect() { this.reset(); this.inc(dns().dropped); } });
    new Gauge({ name: 'weft_dns_names', help: 'Names the DNS responder answers for', registers, collect() { this.set(dns().names); } });
  }
  const dnsLatency = new Histogram({
    name: 'weft_dns_query_duration_seconds',
    help: 'Time from a DNS query received to its answer ready',
    buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05],
    registers,
  });

  const dropRecords = src.dropRecords;
  if (dropRecords !== undefined) {
    // The three read together at each scrape: one nft read of the counters, two of the flow sets.
    let pending: Promise<DropRecords | undefined> | undefined;
    const read = (): Promise<DropRecords | undefined> => {
      if (pending !== undefined) return pending;
      pending = (async () => {
        let out: DropRecords | undefined;
        await guard('nft', async () => {
          out = await dropRecords();
        });
        return out;
      })();
      const p = pending;
      reads.add(p);
      void p.finally(() => {
        reads.delete(p);
        setImmediate(() => (pending = undefined));
      });
      return p;
    };
    new Counter({
      name: 'weft_forwarded_packets_total',
      help: 'Packets the node forwarded (pod traffic, both directions)',
      registers,
      async collect() {
        const r = await read();
        this.reset();
        this.inc(r?.counters.get('forwarded')?.packets ?? 0);
      },
    });
    new Counter({
      name: 'weft_drops_total',
      help: 'Packets dropped by the datapath, by reason and direction',
      labelNames: ['reason', 'direction'],
      registers,
      async collect() {
        const r = await read();
        this.reset();
        for (const direction of POLICY_DIRECTIONS) this.inc({ reason: 'policy_denied', direction }, r?.counters.get(`policy-drops-${direction}`)?.packets ?? 0);
      },
    });
    new Gauge({
      name: 'weft_policy_denied_flows',
      help: 'Denied flows the datapath currently records (expire after their timeout), by direction',
      labelNames: ['direction'],
      registers,
      async collect() {
        const r = await read();
        for (const direction of POLICY_DIRECTIONS) this.set({ direction }, r?.flows.filter((f) => f.direction === direction).length ?? 0);
      },
    });
  }

  const flows = src.flows;
  if (flows !== undefined) {
    new Counter({
      name: 'weft_flows_total',
      help: 'New connections the datapath decided on, by verdict (FORWARDED, DROPPED, REJECTED) and drop reason (policy verdicts included)',
      labelNames: ['verdict', 'reason'],
      registers,
      collect() {
        this.reset();
        for (const f of flows()) this.inc({ verdict: f.verdict, reason: f.reason }, f.count);
      },
    });
  }

  registry.registerMetric(collectErrors);
  if (dropRecords !== undefined) collectErrors.inc({ source: 'nft' }, 0);

  return {
    registry,
    datapath: {
      synced(seconds, counts, localEndpoints) {
        duration.observe({ outcome: 'success' }, seconds);
        lastSync.set(Date.now() / 1000);
        for (const kind of NFT_ELEMENT_KINDS) elements.set({ kind }, counts[kind]);
        endpoints.set(localEndpoints);
      },
      failed(seconds) {
        duration.observe({ outcome: 'failure' }, seconds);
        errors.inc();
      },
    },
    dnsQuery: (seconds) => dnsLatency.observe(seconds),
    scrape: async () => ({ status: 200, contentType: registry.contentType, body: await registry.metrics() }),
  };
}
