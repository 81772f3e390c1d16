/**
 * The service frontends of a node (pure): one per port of every LOCAL
 * service with a ClusterIP (a remote cluster's ClusterIP is never a
 * frontend here, seed 000). A local global service merges the backends of
 * the same-namespace, same-name services of remote clusters that are global
 * and shared; the local service's affinity then picks which ready backends
 * are load-balanced over:
 *   local  → the local ones while any is ready, else the remote ones;
 *   remote → the remote ones while any is ready, else the local ones;
 *   none   → all of them.
 * A remote backend's port is found through the service port's name (the
 * remote service must have a port of that name and protocol).
 */
import type { ServiceAffinity, ServiceProtocol, ServiceState } from '../model/state.ts';
import { compareIps, compareText } from './order.ts';

export interface FrontendBackend {
  readonly ip: string;
  readonly port: number;
  readonly cluster: string;
  /** In the cluster the affinity prefers (affinity local: this cluster; remote: the others). */
  readonly preferred: boolean;
  readonly ready: boolean;
}

export interface Frontend {
  readonly namespace: string;
  readonly name: string;
  readonly clusterIP: string;
  readonly port: number;
  readonly protocol: ServiceProtocol;
  /** The service port's name ('' when unnamed). */
  readonly portName: string;
  /** The backends to load-balance over (ready, affinity applied); empty = reject. */
  readonly backends: readonly FrontendBackend[];
  /** Every backend, ready or not, for display (`weft service list`): local cluster first. */
  readonly allBackends: readonly FrontendBackend[];
}

export interface FrontendsInput {
  readonly cluster: string;
  readonly local: readonly ServiceState[];
  /** The services of every connected cluster (from the mesh cache). */
  readonly remote: readonly ServiceState[];
}

const id = (s: ServiceState): string => `${s.namespace}/${s.name}`;

/** The local cluster's backends first, then by cluster, IP and port. */
function backendOrder(local: string): (a: FrontendBackend, b: FrontendBackend) => number {
  return (a, b) => Number(a.cluster !== local) - Number(b.cluster !== local) || compareText(a.cluster, b.cluster) || compareIps(a.ip, b.ip) || a.port - b.port;
}

/** The backends of `svc` for the service port named `portName` with `protocol`, flagged preferred per `affinity`. */
function backendsOf(svc: ServiceState, portName: string, protocol: ServiceProtocol, local: string, affinity: ServiceAffinity): FrontendBackend[] {
  if (!svc.ports.some((p) => p.name === portName && p.protocol === protocol)) return [];
  const isLocal = svc.cluster === local;
  const preferred = (affinity === 'local' && isLocal) || (affinity === 'remote' && !isLocal);
  const out: FrontendBackend[] = [];
  for (const b of svc.backends) {
    const port = b.ports[portName];
    if (port !== undefined) out.push({ ip: b.ip, port, cluster: svc.cluster, preferred, ready: b.ready });
  }
  return out;
}

/** Which of `all` are load-balanced over, per the local service's affinity (failover to the other side when none is ready). */
export function pickBackends(all: readonly FrontendBackend[], cluster: string, affinity: ServiceAffinity): FrontendBackend[] {
  const ready = all.filter((b) => b.ready);
  const local = ready.filter((b) => b.cluster === cluster);
  const remote = ready.filter((b) => b.cluster !== cluster);
  switch (affinity) {
    case 'local':
      return local.length > 0 ? local : remote;
    case 'remote':
      return remote.length > 0 ? remote : local;
    case 'none':
      return ready;
  }
}

export function serviceFrontends(input: FrontendsInput): Frontend[] {
  const peersOf = new Map<string, ServiceState[]>();
  for (const r of input.remote) {
    if (r.cluster === input.cluster || !r.global || !r.shared) continue;
    peersOf.set(id(r), [...(peersOf.get(id(r)) ?? []), r]);
  }
  const out: Frontend[] = [];
  for (const svc of input.local) {
    if (svc.clusterIP === '') continue;
    const affinity: ServiceAffinity = svc.global ? svc.affinity : 'none';
    const sources = svc.global ? [{ ...svc, cluster: input.cluster }, ...(peersOf.get(id(svc)) ?? [])] : [{ ...svc, cluster: input.cluster }];
    for (const p of svc.ports) {
      const all = sources.flatMap((s) => backendsOf(s, p.name, p.protocol, input.cluster, affinity)).sort(backendOrder(input.cluster));
      out.push({
        namespace: svc.namespace,
        name: svc.name,
        clusterIP: svc.clusterIP,
        port: p.port,
        protocol: p.protocol,
        portName: p.name,
        backends: pickBackends(all, input.cluster, affinity),
        allBackends: all,
      });
    }
  }
  return out.sort((a, b) => compareText(a.namespace, b.namespace) || compareText(a.name, b.name) || a.port - b.port || compareText(a.protocol, b.protocol));
}
