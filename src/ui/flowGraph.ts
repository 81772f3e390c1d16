/**
 * The service map's graph (pure): flows → workloads and the edges between
 * them, like Hubble UI's service map. A pod counts as its workload — its
 * `app` (or `k8s-app`, `app.kubernetes.io/name`, `run`) label, else the
 * owner its generated name points at (`echo-1-b2k9x` → `echo-1`,
 * `stranger-0` → `stranger`), else the pod itself — per cluster and
 * namespace. A peer without a pod is the service it addressed (a connection
 * rejected for want of backends) or its IP (`world`, a node). One edge per
 * workload pair, counting flows per verdict; its verdict is the latest
 * flow's, so a policy applied later turns a green edge red.
 */
import type { Flow, FlowPeer, FlowVerdict } from '../model/flow.ts';

export type GraphNodeKind = 'workload' | 'service' | 'ip';

export interface GraphNode {
  /** `cluster/namespace/name` (workload, service) or `ip/<address>`. */
  readonly id: string;
  readonly kind: GraphNodeKind;
  readonly cluster: string;
  readonly namespace: string;
  readonly name: string;
  /** The pods seen in flows (workloads), sorted. */
  readonly pods: readonly string[];
}

export type VerdictCounts = Record<FlowVerdict, number>;

export interface GraphEdge {
  /** `from → to` */
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly counts: VerdictCounts;
  /** The verdict of the latest flow: the edge's colour. */
  readonly verdict: FlowVerdict;
  /** `namespace/name` of the services addressed, sorted. */
  readonly services: readonly string[];
  /** `port/protocol` of the destinations, sorted. */
  readonly ports: readonly string[];
  readonly lastSeen: string;
}

export interface FlowGraph {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  /** Flows aggregated (after duplicates seen by two nodes are dropped). */
  readonly flows: number;
}

/** Labels that name a workload, in order of preference. */
const WORKLOAD_LABELS = ['app', 'k8s-app', 'app.kubernetes.io/name', 'run'] as const;
/** A generated suffix (`-b2k9x`, Kubernetes' generateName alphabet) or a StatefulSet ordinal (`-0`). */
const GENERATED_SUFFIX = /-(?:[bcdfghjklmnpqrstvwxz2456789]{5}|\d+)$/;
/** A Deployment pod's template hash in front of the suffix (`web-5d8c9f7b6c-x7k2p`). */
const TEMPLATE_HASH = /-[0-9a-f]{8,10}$/;

function labelValue(labels: readonly string[] | undefined, key: string): string | undefined {
  const prefix = `${key}=`;
  const hit = labels?.find((l) => l.startsWith(prefix));
  return hit === undefined ? undefined : hit.slice(prefix.length);
}

/** The workload name of a pod: its app/run label, else its owner from the generated name, else the pod. */
export function workloadName(pod: string, labels: readonly string[] | undefined): string {
  for (const key of WORKLOAD_LABELS) {
    const v = labelValue(labels, key);
    if (v !== undefined && v !== '') return v;
  }
  const owner = pod.replace(GENERATED_SUFFIX, '');
  if (owner === pod || owner === '') return pod;
  return owner.replace(TEMPLATE_HASH, '') || owner;
}

/** The graph node a flow's peer belongs to; `flowCluster` stands in when the peer's cluster is unknown. */
export function peerNode(peer: FlowPeer, flowCluster: string, service?: Flow['service']): GraphNode {
  const cluster = peer.cluster ?? flowCluster;
  if (peer.pod !== undefined && peer.pod !== '') {
    const namespace = peer.namespace ?? 'default';
    const name = workloadName(peer.pod, peer.labels);
    return { id: `${cluster}/${namespace}/${name}`, kind: 'workload', cluster, namespace, name, pods: [peer.pod] };
  }
  if (service !== undefined) {
    return { id: `${cluster}/${service.namespace}/svc:${service.name}`, kind: 'service', cluster, namespace: service.namespace, name: service.name, pods: [] };
  }
  // 169.254.0.0/16: the pods' gateway, held by their node (its DNS responder answers there).
  const name = peer.ip.startsWith('169.254.') ? `node ${peer.ip}` : peer.ip;
  return { id: `ip/${peer.ip}`, kind: 'ip', cluster: peer.cluster ?? '', namespace: '', name, pods: [] };
}

/**
 * One connection may be reported by the node of each end: the same source
 * socket, protocol, destination and verdict within the same second. Flows
 * without a source port (drop records) are never merged.
 */
function flowKey(f: Flow): string | undefined {
  if (f.source.port === undefined) return undefined;
  const dst = f.destination.pod ?? f.destination.ip;
  return `${f.protocol}|${f.source.ip}:${f.source.port}|${dst}:${f.destination.port ?? ''}|${f.verdict}|${f.time.slice(0, 19)}`;
}

/** Flows oldest first, each connection once: the first report kept, the service taken from the other (the client's node knows it). */
export function uniqueFlows(flows: readonly Flow[]): Flow[] {
  const ordered = [...flows].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  const out: Flow[] = [];
  const at = new Map<string, number>();
  for (const f of ordered) {
    const key = flowKey(f);
    const i = key === undefined ? undefined : at.get(key);
    if (i === undefined) {
      if (key !== undefined) at.set(key, out.length);
      out.push(f);
    } else if (out[i]?.service === undefined && f.service !== undefined) {
      out[i] = { ...(out[i] as Flow), service: f.service };
    }
  }
  return out;
}

export function emptyCounts(): VerdictCounts {
  return { FORWARDED: 0, DROPPED: 0, REJECTED: 0 };
}

interface EdgeAcc {
  from: string;
  to: string;
  counts: VerdictCounts;
  verdict: FlowVerdict;
  lastSeen: string;
  services: Set<string>;
  ports: Set<string>;
}

/** Flows (any order, any number of nodes; duplicates merged by uniqueFlows) → the workload graph, nodes and edges sorted by id. */
export function flowGraph(flows: readonly Flow[]): FlowGraph {
  const nodes = new Map<string, { node: GraphNode; pods: Set<string> }>();
  const edges = new Map<string, EdgeAcc>();
  const unique = uniqueFlows(flows);
  const addNode = (n: GraphNode): string => {
    const cur = nodes.get(n.id) ?? { node: n, pods: new Set<string>() };
    for (const p of n.pods) cur.pods.add(p);
    nodes.set(n.id, cur);
    return n.id;
  };
  for (const f of unique) {
    const from = addNode(peerNode(f.source, f.cluster));
    const to = addNode(peerNode(f.destination, f.cluster, f.service));
    const id = `${from} → ${to}`;
    const e = edges.get(id) ?? { from, to, counts: emptyCounts(), verdict: f.verdict, lastSeen: f.time, services: new Set<string>(), ports: new Set<string>() };
    e.counts[f.verdict]++;
    e.verdict = f.verdict;
    e.lastSeen = f.time;
    if (f.service !== undefined) e.services.add(`${f.service.namespace}/${f.service.name}`);
    if (f.destination.port !== undefined) e.ports.add(`${f.destination.port}/${f.protocol}`);
    edges.set(id, e);
  }
  const byId = <T extends { id: string }>(a: T, b: T): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return {
    nodes: [...nodes.values()].map(({ node, pods }) => ({ ...node, pods: [...pods].sort() })).sort(byId),
    edges: [...edges.entries()]
      .map(([id, e]) => ({ id, from: e.from, to: e.to, counts: e.counts, verdict: e.verdict, services: [...e.services].sort(), ports: [...e.ports].sort(), lastSeen: e.lastSeen }))
      .sort(byId),
    flows: unique.length,
  };
}
