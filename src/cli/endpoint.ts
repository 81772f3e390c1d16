/**
 * `weft endpoint list`: the endpoints of the cluster, like
 * `cilium endpoint list`: ns/pod, cluster, node, IPv4, identity, identity
 * labels, ready; with --all-clusters also the mirrored endpoints of every
 * connected cluster. The policy enforcement columns appear when the caller
 * gives an `enforcement` lookup (filled from the policy compiler).
 */
import type { Command } from 'commander';
import type { KvBackend } from '../kvstore/backend.ts';
import { keys, parseExportedOf } from '../kvstore/keys.ts';
import { connectedRemotes, meshSources } from '../model/meshView.ts';
import { EndpointState } from '../model/state.ts';
import { tryParseJson } from '../kvstore/json.ts';
import { outputOption } from './config.ts';
import type { Context } from '../contexts/contexts.ts';
import { withKv } from './kv.ts';
import { printColumns, printJson } from './output.ts';
import { labelStrings } from '../identity/labels.ts';

export interface EndpointRow {
  readonly namespace: string;
  readonly pod: string;
  readonly cluster: string;
  readonly endpoint: EndpointState;
}

/** Whether policy is enforced on an endpoint per direction; undefined when unknown (e.g. a remote endpoint). */
export type EndpointEnforcement = (ep: EndpointRow) => { ingress: boolean; egress: boolean } | undefined;

/** Packets dropped by policy per endpoint IP and direction, read from the nodes' datapath (absent: unknown). */
export type EndpointDrops = ReadonlyMap<string, { readonly ingress: number; readonly egress: number }>;

/** Endpoints of `cluster` stored under `prefix` (its own or their mirror in the cache); an invalid value is reported through `warn` and skipped. */
export async function readEndpoints(kv: KvBackend, prefix: string, cluster: string, warn: (msg: string) => void): Promise<EndpointRow[]> {
  const { entries } = await kv.list(prefix);
  const out: EndpointRow[] = [];
  for (const e of entries) {
    const k = parseExportedOf('endpoint', e.key);
    const endpoint = tryParseJson(EndpointState, e.value);
    if (endpoint !== undefined && k !== undefined) out.push({ namespace: k.ns, pod: k.pod, cluster, endpoint });
    else warn(`skipping invalid endpoint at ${e.key}`);
  }
  return out;
}

/** This cluster's endpoints and, with allClusters, every connected remote's (mesh cache); sorted by cluster, namespace, pod. */
export async function loadEndpoints(kv: KvBackend, cluster: string, opts: { allClusters: boolean; namespace?: string | undefined }, warn: (msg: string) => void): Promise<EndpointRow[]> {
  const sources = meshSources(cluster, opts.allClusters ? await connectedRemotes(kv, cluster) : [], (c) => keys.endpointsPrefix(c));
  const lists = await Promise.all(sources.map((s) => readEndpoints(kv, s.prefix, s.cluster, warn)));
  const rows = lists.flat().filter((r) => opts.namespace === undefined || r.namespace === opts.namespace);
  const order = (r: EndpointRow): string => `${r.cluster === cluster ? 0 : 1}\u0000${r.cluster}\u0000${r.namespace}\u0000${r.pod}`;
  return rows.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
}

const enabled = (on: boolean | undefined): string => (on === undefined ? '-' : on ? 'Enabled' : 'Disabled');

export function endpointListHeader(withEnforcement: boolean, withDrops = false): string[] {
  return [
    'ENDPOINT',
    'CLUSTER',
    'NODE',
    'IPv4',
    'IDENTITY',
    ...(withEnforcement ? ['POLICY (ingress) ENFORCEMENT', 'POLICY (egress) ENFORCEMENT'] : []),
    ...(withDrops ? ['DROPS (in/out)'] : []),
    'READY',
    'LABELS',
  ];
}

function dropCell(r: EndpointRow, clusterOfDrops: string, drops: EndpointDrops): string {
  if (r.cluster !== clusterOfDrops) return '-';
  const d = drops.get(r.endpoint.ip);
  return `${d?.ingress ?? 0}/${d?.egress ?? 0}`;
}

/** Rows of the table: an endpoint's cells on its first row, one identity label per row. */
export function endpointListRows(rows: readonly EndpointRow[], enforcement?: EndpointEnforcement, drops?: { cluster: string; counts: EndpointDrops }): string[][] {
  const out: string[][] = [];
  for (const r of rows) {
    const e = r.endpoint;
    const policy = enforcement === undefined ? [] : ((p) => [enabled(p?.ingress), enabled(p?.egress)])(enforcement(r));
    if (drops !== undefined) policy.push(dropCell(r, drops.cluster, drops.counts));
    const labels = labelStrings(e.labels, 'k8s:');
    if (labels.length === 0) labels.push('');
    const head = [`${r.namespace}/${r.pod}`, r.cluster, e.node, e.ip, e.identity === 0 ? '0 (pending)' : String(e.identity), ...policy, e.ready ? 'yes' : 'no'];
    labels.forEach((l, n) => out.push(n === 0 ? [...head, l] : [...head.map(() => ''), l]));
  }
  return out;
}

/** JSON output: each endpoint with its namespace, pod and cluster, and the enforcement when known. */
export function endpointListJson(rows: readonly EndpointRow[], enforcement?: EndpointEnforcement, drops?: { cluster: string; counts: EndpointDrops }): unknown[] {
  return rows.map((r) => {
    const policy = enforcement?.(r);
    const dropped = drops === undefined || r.cluster !== drops.cluster ? undefined : (drops.counts.get(r.endpoint.ip) ?? { ingress: 0, egress: 0 });
    return {
      namespace: r.namespace,
      pod: r.pod,
      cluster: r.cluster,
      ...r.endpoint,
      ...(policy === undefined ? {} : { policyEnforcement: policy }),
      ...(dropped === undefined ? {} : { policyDrops: { ingress: dropped.ingress, egress: dropped.egress } }),
    };
  });
}

export interface EndpointCommandHooks {
  /** Builds the enforcement lookup for the context's cluster (from its policies); absent → no policy columns. */
  readonly enforcement?: (kv: KvBackend, ctx: Context) => Promise<EndpointEnforcement>;
  /** Reads the per-endpoint policy drop counters of the context's nodes; undefined → no drops column. */
  readonly drops?: (ctx: Context) => Promise<EndpointDrops | undefined>;
}

export function registerEndpoint(program: Command, hooks: EndpointCommandHooks = {}): void {
  const endpoint = program.command('endpoint').description('endpoints (pods) of the cluster with their identities (like `cilium endpoint list`)');
  endpoint
    .command('list')
    .description('list endpoints as ns/pod with cluster, node, IPv4, identity, labels and readiness (every namespace unless -n)')
    .addOption(outputOption())
    .option('-n, --namespace <ns>', 'only endpoints of this namespace')
    .option('-A, --all-namespaces', 'every namespace (the default)')
    .option('--all-clusters', 'also the endpoints of every connected cluster (mesh cache)')
    .action(async (opts: { output: string; namespace?: string; allNamespaces?: boolean; allClusters?: boolean }, cmd: Command) => {
      await withKv(cmd, async (kv, ctx) => {
        const namespace = opts.allNamespaces === true ? undefined : opts.namespace;
        const rows = await loadEndpoints(kv, ctx.cluster, { allClusters: opts.allClusters === true, namespace }, (msg) => process.stderr.write(`warning: ${msg}\n`));
        const enforcement = hooks.enforcement === undefined ? undefined : await hooks.enforcement(kv, ctx);
        const counts = hooks.drops === undefined ? undefined : await hooks.drops(ctx);
        const drops = counts === undefined ? undefined : { cluster: ctx.cluster, counts };
        if (opts.output === 'json') {
          printJson(endpointListJson(rows, enforcement, drops));
          return;
        }
        if (rows.length === 0) {
          process.stderr.write(namespace === undefined ? 'No endpoints.\n' : `No endpoints in namespace ${namespace}.\n`);
          return;
        }
        printColumns(endpointListHeader(enforcement !== undefined, drops !== undefined), endpointListRows(rows, enforcement, drops));
      });
    });
}
