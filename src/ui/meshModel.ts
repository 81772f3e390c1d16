/**
 * What `/api/mesh` answers (pure): the clusters of the mesh with their
 * nodes, the services with their backends per cluster (global, shared,
 * affinity) and the clustermesh status of the context's cluster and its
 * remotes — built from what the CLI's readers return (`weft node list`,
 * `weft service list`, `weft clustermesh status`).
 */
import type { MeshStatusReport } from '../clustermesh/meshStatus.ts';
import type { NodeState, ServiceAffinity, ServiceState } from '../model/state.ts';
import type { RemoteStatus } from '../model/remoteStatus.ts';

export interface MeshCluster {
  readonly name: string;
  /** Cluster id (from its nodes); null when no node is known. */
  readonly id: number | null;
  readonly local: boolean;
  readonly nodes: readonly { readonly name: string; readonly ip: string; readonly podCIDR: string; readonly ready: boolean }[];
}

export interface ServiceInCluster {
  readonly cluster: string;
  readonly clusterIP: string;
  readonly ports: readonly string[];
  readonly backends: readonly { readonly ip: string; readonly node: string; readonly ready: boolean }[];
}

export interface MeshService {
  readonly namespace: string;
  readonly name: string;
  /** Global in some cluster: the backends of every cluster sharing it are merged. */
  readonly global: boolean;
  /** Every global copy is shared. */
  readonly shared: boolean;
  /** The local copy's affinity (else the first copy's). */
  readonly affinity: ServiceAffinity;
  readonly clusters: readonly ServiceInCluster[];
}

export interface MeshRemote {
  readonly name: string;
  readonly connected: boolean;
  readonly ready: boolean;
  /** Nodes of the local cluster whose agent sees the remote, of all. */
  readonly nodesConnected: number;
  readonly nodesTotal: number;
  /** When the reflector last reported ('' = never). */
  readonly lastSync: string;
  readonly connectedSince: string;
  readonly failures: number;
  readonly lastFailure: string;
  readonly counts: RemoteStatus['counts'] | null;
}

export interface MeshModel {
  readonly cluster: string;
  readonly generatedAt: string;
  readonly clusters: readonly MeshCluster[];
  readonly services: readonly MeshService[];
  readonly status: {
    readonly ok: boolean;
    readonly tls: boolean;
    readonly remotes: readonly MeshRemote[];
    readonly globalServices: number;
    readonly problems: readonly string[];
  };
}

export interface MeshModelInput {
  readonly cluster: string;
  readonly now: string;
  readonly nodes: readonly NodeState[];
  readonly services: { readonly local: readonly ServiceState[]; readonly remote: readonly ServiceState[] };
  readonly report: MeshStatusReport;
  readonly remoteStatus: ReadonlyMap<string, RemoteStatus>;
}

const text = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function clustersOf(input: MeshModelInput): MeshCluster[] {
  const names = new Set([input.cluster, ...input.report.connections.map((c) => c.name), ...input.nodes.map((n) => n.cluster)]);
  return [...names]
    .map((name) => {
      const nodes = input.nodes.filter((n) => n.cluster === name).sort((a, b) => text(a.name, b.name));
      return { name, id: nodes[0]?.clusterId ?? null, local: name === input.cluster, nodes: nodes.map((n) => ({ name: n.name, ip: n.ip, podCIDR: n.podCIDR, ready: n.ready })) };
    })
    .sort((a, b) => Number(b.local) - Number(a.local) || text(a.name, b.name));
}

function servicesOf(input: MeshModelInput): MeshService[] {
  const byName = new Map<string, ServiceState[]>();
  for (const s of [...input.services.local, ...input.services.remote]) {
    const id = `${s.namespace}/${s.name}`;
    byName.set(id, [...(byName.get(id) ?? []), s]);
  }
  return [...byName.values()]
    .map((copies): MeshService => {
      const sorted = [...copies].sort((a, b) => Number(b.cluster === input.cluster) - Number(a.cluster === input.cluster) || text(a.cluster, b.cluster));
      const first = sorted[0] as ServiceState;
      const globals = sorted.filter((s) => s.global);
      return {
        namespace: first.namespace,
        name: first.name,
        global: globals.length > 0,
        shared: globals.length > 0 && globals.every((s) => s.shared),
        affinity: first.affinity,
        clusters: sorted.map((s) => ({
          cluster: s.cluster,
          clusterIP: s.clusterIP,
          ports: s.ports.map((p) => `${p.port}/${p.protocol}${p.name === '' ? '' : ` (${p.name})`}`),
          backends: s.backends.map((b) => ({ ip: b.ip, node: b.node, ready: b.ready })),
        })),
      };
    })
    .sort((a, b) => text(a.namespace, b.namespace) || text(a.name, b.name));
}

export function meshModel(input: MeshModelInput): MeshModel {
  const r = input.report;
  return {
    cluster: input.cluster,
    generatedAt: input.now,
    clusters: clustersOf(input),
    services: servicesOf(input),
    status: {
      ok: r.ok,
      tls: r.access.tls,
      remotes: r.connections.map((c) => {
        const st = input.remoteStatus.get(c.name);
        return {
          name: c.name,
          connected: st?.connected ?? false,
          ready: c.ready,
          nodesConnected: c.connected,
          nodesTotal: c.total,
          lastSync: st?.updatedAt ?? '',
          connectedSince: st?.connectedSince ?? '',
          failures: c.failures,
          lastFailure: c.lastFailure,
          counts: st?.counts ?? null,
        };
      }),
      globalServices: r.globalServices.max,
      problems: r.problems.map((p) => p.message),
    },
  };
}
