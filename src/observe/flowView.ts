/**
 * Flow enrichment (pure): what the agent knows about an IP (pod, namespace,
 * cluster, identity, labels: the local endpoints and the mesh cache's) and
 * about a ClusterIP:port (the service of the node's frontends), and the
 * records of the datapath turned into Flows: a conntrack NEW event
 * (FORWARDED), a policy drop record (DROPPED, POLICY_DENIED), a reject record
 * (REJECTED, NO_SERVICE_BACKENDS).
 */
import type { DropFlow } from '../datapath/policy/policyDrops.ts';
import type { ServiceReject } from '../datapath/services/serviceRejects.ts';
import type { Flow, FlowPeer, FlowService } from '../model/flow.ts';
import type { EndpointState } from '../model/state.ts';
import type { Frontend } from '../services/frontends.ts';
import type { ConntrackEvent } from './conntrackEvents.ts';

export interface NamedEndpoint {
  readonly cluster: string;
  readonly namespace: string;
  readonly pod: string;
  readonly value: EndpointState;
}

export interface FlowView {
  readonly endpoints: ReadonlyMap<string, Omit<FlowPeer, 'ip' | 'port'>>;
  /** `ip|proto|port` (proto upper case) → service. */
  readonly services: ReadonlyMap<string, { readonly namespace: string; readonly name: string }>;
}

export const EMPTY_FLOW_VIEW: FlowView = { endpoints: new Map(), services: new Map() };

const serviceKey = (ip: string, proto: string, port: number): string => `${ip}|${proto.toUpperCase()}|${port}`;

export function buildFlowView(endpoints: readonly NamedEndpoint[], frontends: readonly Frontend[]): FlowView {
  const eps = new Map<string, Omit<FlowPeer, 'ip' | 'port'>>();
  for (const e of endpoints) {
    if (e.value.ip === '') continue;
    const labels = Object.entries(e.value.labels)
      .map(([k, v]) => `${k}=${v}`)
      .sort();
    eps.set(e.value.ip, { pod: e.pod, namespace: e.namespace, cluster: e.cluster, identity: e.value.identity, labels });
  }
  const services = new Map<string, { namespace: string; name: string }>();
  for (const f of frontends) services.set(serviceKey(f.clusterIP, f.protocol, f.port), { namespace: f.namespace, name: f.name });
  return { endpoints: eps, services };
}

/** Where the flow was seen. */
export interface FlowOrigin {
  readonly node: string;
  readonly cluster: string;
  readonly time: string;
}

export type UnnumberedFlow = Omit<Flow, 'seq'>;

const PROTOCOLS: Readonly<Record<string, Flow['protocol']>> = { tcp: 'TCP', udp: 'UDP', sctp: 'SCTP', icmp: 'ICMP' };

function peer(view: FlowView, ip: string, port: number | undefined, identity?: number): FlowPeer {
  const known = view.endpoints.get(ip);
  return {
    ip,
    ...(port === undefined || port === 0 ? {} : { port }),
    ...known,
    ...(identity === undefined ? {} : { identity }),
  };
}

function service(view: FlowView, ip: string, protocol: string, port: number): FlowService | undefined {
  const s = view.services.get(serviceKey(ip, protocol, port));
  return s === undefined ? undefined : { ...s, ip, port };
}

/**
 * A conntrack NEW event → a FORWARDED flow: source the original source, destination who answers
 * (the reply source: the backend after a service DNAT), service what the client addressed. Only
 * flows involving an endpoint of the mesh are kept (undefined otherwise, and for protocols a Flow
 * cannot carry).
 */
export function forwardedFlow(e: ConntrackEvent, view: FlowView, origin: FlowOrigin): UnnumberedFlow | undefined {
  const protocol = PROTOCOLS[e.proto];
  if (protocol === undefined) return undefined;
  const { original, reply } = e;
  if (![original.src, original.dst, reply.src].some((ip) => view.endpoints.has(ip))) return undefined;
  const svc = service(view, original.dst, protocol, original.dport);
  return {
    ...origin,
    verdict: 'FORWARDED',
    protocol,
    source: peer(view, original.src, original.sport),
    destination: peer(view, reply.src, reply.sport),
    ...(svc === undefined ? {} : { service: svc }),
  };
}

/** A policy drop record → a DROPPED flow; the peer's identity is what the datapath's ipcache gave. */
export function droppedFlow(d: DropFlow, view: FlowView, origin: FlowOrigin): UnnumberedFlow | undefined {
  const protocol = PROTOCOLS[d.proto];
  if (protocol === undefined) return undefined;
  const ingress = d.direction === 'ingress';
  return {
    ...origin,
    verdict: 'DROPPED',
    dropReason: 'POLICY_DENIED',
    direction: d.direction,
    protocol,
    source: peer(view, d.saddr, undefined, ingress ? d.peerIdentity : undefined),
    destination: peer(view, d.daddr, d.port, ingress ? undefined : d.peerIdentity),
  };
}

/** A reject record → a REJECTED flow to the service the client addressed. */
export function rejectedFlow(r: ServiceReject, view: FlowView, origin: FlowOrigin): UnnumberedFlow | undefined {
  const protocol = PROTOCOLS[r.proto];
  if (protocol === undefined) return undefined;
  const svc = service(view, r.daddr, protocol, r.dport);
  return {
    ...origin,
    verdict: 'REJECTED',
    dropReason: 'NO_SERVICE_BACKENDS',
    protocol,
    source: peer(view, r.saddr, r.sport),
    destination: peer(view, r.daddr, r.dport),
    ...(svc === undefined ? {} : { service: svc }),
  };
}
