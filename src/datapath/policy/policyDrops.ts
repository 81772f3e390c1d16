/**
 * Policy drops as the datapath records them (nftTable.ts › policyChainRules):
 * per local endpoint (`pol-drops-<in|out>-ep`, keyed by the endpoint IP) and
 * per flow (`pol-drops-<in|out>-flows`, keyed `saddr . daddr . l4proto .
 * dport . peer identity`), each element with a counter. Pure parsing of
 * `nft -j list set …` output, plus a thin reader through NetTools.
 */
import { dropEndpointSetName, dropFlowSetName, NFT_FAMILY, NFT_TABLE, POLICY_DIRECTIONS } from '../nft/nftTable.ts';
import type { PolicyDirection } from '../nft/nftTable.ts';
import { listNftJson } from '../netTools.ts';
import { isJsonObject, nftJsonItems } from '../nft/nftJson.ts';
import type { NetTools } from '../netTools.ts';
import { elementKey, parseSetJson } from './policyKernel.ts';

export interface DropCounter {
  readonly packets: number;
  readonly bytes: number;
}

/** One denied flow: which chain dropped it says the direction; the peer identity is what the ipcache gave. */
export interface DropFlow extends DropCounter {
  readonly direction: PolicyDirection;
  readonly saddr: string;
  readonly daddr: string;
  readonly proto: string;
  /** 0 for protocols without ports (ICMP). */
  readonly port: number;
  /** Ingress: the source's identity; egress: the destination's (2 = world: not in the ipcache). */
  readonly peerIdentity: number;
  /** Seconds until the record expires (refreshed by each drop), when nft says. */
  readonly expiresS: number | undefined;
}

export interface EndpointDrops extends DropCounter {
  readonly direction: PolicyDirection;
  /** The local endpoint whose policy dropped (ingress: destination, egress: source). */
  readonly ip: string;
}

function counterOf(meta: Record<string, unknown> | undefined): DropCounter {
  const c = meta?.['counter'];
  if (typeof c === 'object' && c !== null && !Array.isArray(c)) {
    const { packets, bytes } = c as Record<string, unknown>;
    return { packets: typeof packets === 'number' ? packets : 0, bytes: typeof bytes === 'number' ? bytes : 0 };
  }
  return { packets: 0, bytes: 0 };
}

/** `nft -j list set inet weft pol-drops-<in|out>-flows` → its flows. Malformed elements are skipped. */
export function parseDropFlows(json: string, direction: PolicyDirection): DropFlow[] {
  const set = parseSetJson(json);
  const out: DropFlow[] = [];
  for (const e of set.elements) {
    const { key, meta } = elementKey(e, []);
    const [saddr, daddr, proto, port, mark] = key.split(' . ');
    if (saddr === undefined || daddr === undefined || proto === undefined || port === undefined || mark === undefined) continue;
    const expires = meta?.['expires'];
    out.push({
      direction,
      saddr,
      daddr,
      proto: PROTO_BY_NUMBER[proto] ?? proto,
      port: Number(port),
      peerIdentity: Number(mark),
      ...counterOf(meta),
      expiresS: typeof expires === 'number' ? expires : undefined,
    });
  }
  return out;
}

const PROTO_BY_NUMBER: Readonly<Record<string, string>> = { '1': 'icmp', '6': 'tcp', '17': 'udp', '132': 'sctp' };

/** `nft -j list set inet weft pol-drops-<in|out>-ep` → per endpoint IP its drop counter. */
export function parseEndpointDrops(json: string, direction: PolicyDirection): EndpointDrops[] {
  const set = parseSetJson(json);
  return set.elements.map((e) => {
    const { key, meta } = elementKey(e, []);
    return { direction, ip: key, ...counterOf(meta) };
  });
}

export interface PolicyDrops {
  readonly flows: readonly DropFlow[];
  readonly endpoints: readonly EndpointDrops[];
}

/** Read every drop record of a node (4 `nft -j list set`). */
export async function readPolicyDrops(tools: NetTools): Promise<PolicyDrops> {
  const flows: DropFlow[] = [];
  const endpoints: EndpointDrops[] = [];
  const list = (name: string): Promise<string> => tools.run('nft', ['-j', 'list', 'set', NFT_FAMILY, NFT_TABLE, name]);
  for (const d of POLICY_DIRECTIONS) {
    flows.push(...parseDropFlows(await list(dropFlowSetName(d)), d));
    endpoints.push(...parseEndpointDrops(await list(dropEndpointSetName(d)), d));
  }
  return { flows, endpoints };
}

export interface EndpointDropCount {
  readonly ingress: number;
  readonly egress: number;
}

/** Dropped packets per local endpoint IP and direction. */
export function endpointDropCounts(endpoints: readonly EndpointDrops[]): Map<string, EndpointDropCount> {
  const out = new Map<string, EndpointDropCount>();
  for (const e of endpoints) {
    const c = out.get(e.ip) ?? { ingress: 0, egress: 0 };
    out.set(e.ip, { ...c, [e.direction]: c[e.direction] + e.packets });
  }
  return out;
}

/** Dropped packets per endpoint IP on a node (the table or its sets missing → empty: nothing dropped there). */
export async function readEndpointDropCounts(tools: NetTools): Promise<Map<string, EndpointDropCount>> {
  const endpoints: EndpointDrops[] = [];
  for (const d of POLICY_DIRECTIONS) {
    const json = await listNftJson(tools, ['set', NFT_FAMILY, NFT_TABLE, dropEndpointSetName(d)]);
    if (json !== undefined) endpoints.push(...parseEndpointDrops(json, d));
  }
  return endpointDropCounts(endpoints);
}

/** `nft -j list counters table inet weft` → named counter → packets and bytes (forwarded, policy-drops-<direction>). */
export function parseNamedCounters(json: string): Map<string, DropCounter> {
  const out = new Map<string, DropCounter>();
  for (const item of nftJsonItems(json, 'nft -j list counters')) {
    const c = isJsonObject(item) ? item['counter'] : undefined;
    if (!isJsonObject(c) || typeof c['name'] !== 'string') continue;
    const { packets, bytes } = c;
    out.set(c['name'], { packets: typeof packets === 'number' ? packets : 0, bytes: typeof bytes === 'number' ? bytes : 0 });
  }
  return out;
}

/** The node's named counters and its recorded denied flows (the table missing → empty: nothing counted yet). */
export async function readDropRecords(tools: NetTools): Promise<{ counters: Map<string, DropCounter>; flows: DropFlow[] }> {
  const counters = await listNftJson(tools, ['counters', 'table', NFT_FAMILY, NFT_TABLE]);
  const flows: DropFlow[] = [];
  for (const d of POLICY_DIRECTIONS) {
    const json = await listNftJson(tools, ['set', NFT_FAMILY, NFT_TABLE, dropFlowSetName(d)]);
    if (json !== undefined) flows.push(...parseDropFlows(json, d));
  }
  return { counters: counters === undefined ? new Map<string, DropCounter>() : parseNamedCounters(counters), flows };
}
