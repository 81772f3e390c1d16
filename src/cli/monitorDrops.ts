/**
 * `weft monitor --type drop`, the pure part: which drop records are new or
 * grew since the last poll, and how a drop reads — source pod/cluster/identity
 * → destination pod/cluster/identity, protocol and port — once its IPs are
 * resolved through the endpoints (and nodes) of the cluster and of the mesh cache.
 */
import type { DropFlow } from '../datapath/policy/policyDrops.ts';
import { RESERVED_IDENTITY } from '../policy/types.ts';

/** What an IP is, as far as the cluster's etcd (and its mesh cache) knows. */
export interface IpOwner {
  /** `ns/pod` for an endpoint, `node/<name>` for a node. */
  readonly name: string;
  readonly cluster: string;
  /** 0 when unknown. */
  readonly identity: number;
}

export interface DropEvent {
  readonly time: string;
  /** The node whose datapath dropped. */
  readonly node: string;
  readonly direction: 'ingress' | 'egress';
  readonly proto: string;
  readonly port: number;
  /** Packets dropped since the last report of this flow (the first: all of them). */
  readonly packets: number;
  /** Total recorded for the flow. */
  readonly totalPackets: number;
  readonly source: DropSide;
  readonly destination: DropSide;
}

export interface DropSide {
  readonly ip: string;
  /** `ns/pod`, `node/<name>`, or '' when the IP is unknown (world). */
  readonly name: string;
  readonly cluster: string;
  readonly identity: number;
}

export const flowKey = (node: string, f: DropFlow): string => `${node}|${f.direction}|${f.saddr}|${f.daddr}|${f.proto}|${f.port}|${f.peerIdentity}`;

/**
 * Flows whose packet count is new or larger than in `seen` (updated in place). A count that went
 * down (the record expired and came back) counts as new.
 */
export function newDrops(seen: Map<string, number>, node: string, flows: readonly DropFlow[]): { flow: DropFlow; packets: number }[] {
  const out: { flow: DropFlow; packets: number }[] = [];
  for (const f of flows) {
    const k = flowKey(node, f);
    const before = seen.get(k);
    const delta = before === undefined || f.packets < before ? f.packets : f.packets - before;
    seen.set(k, f.packets);
    if (delta > 0) out.push({ flow: f, packets: delta });
  }
  return out;
}

/** The drop as an event: the local endpoint's side from `owners`, the peer's identity as the datapath saw it. */
export function dropEvent(time: string, node: string, flow: DropFlow, packets: number, owners: ReadonlyMap<string, IpOwner>): DropEvent {
  const side = (ip: string, peer: boolean): DropSide => {
    const o = owners.get(ip);
    const identity = peer ? flow.peerIdentity : (o?.identity ?? 0);
    return { ip, name: o?.name ?? '', cluster: o?.cluster ?? '', identity };
  };
  const ingress = flow.direction === 'ingress';
  return {
    time,
    node,
    direction: flow.direction,
    proto: flow.proto,
    port: flow.port,
    packets,
    totalPackets: flow.packets,
    source: side(flow.saddr, ingress),
    destination: side(flow.daddr, !ingress),
  };
}

const RESERVED_NAMES = new Map<number, string>(Object.entries(RESERVED_IDENTITY).map(([k, v]) => [v, k]));

function sideText(s: DropSide): string {
  const who = s.name === '' ? s.ip : `${s.name} (${s.ip}${s.cluster === '' ? '' : `, ${s.cluster}`})`;
  const reserved = RESERVED_NAMES.get(s.identity);
  return `${who} identity ${s.identity}${reserved === undefined ? '' : ` (${reserved})`}`;
}

/** One line: `<time> DROP ingress on <node>: <src> → <dst> tcp/6379 (3 packets)`. */
export function formatDropLine(e: DropEvent): string {
  const port = e.port === 0 ? e.proto : `${e.proto}/${e.port}`;
  return `${e.time} DROP ${e.direction} on ${e.node}: ${sideText(e.source)} → ${sideText(e.destination)} ${port} (${e.packets} packet${e.packets === 1 ? '' : 's'}, ${e.totalPackets} total)`;
}
