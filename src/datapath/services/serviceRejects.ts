/**
 * Connections rejected for a service without backends (or to a port the
 * service does not have), as the datapath records them (nftTable.ts ›
 * svc-reject): one element per connection, keyed `saddr . sport . daddr .
 * l4proto . dport`, with a counter. Pure parsing of `nft -j list set`
 * output, plus a thin reader through NetTools.
 */
import { NFT_FAMILY, NFT_TABLE, SVC } from '../nft/nftTable.ts';
import { listNftJson } from '../netTools.ts';
import type { NetTools } from '../netTools.ts';
import { elementKey, parseSetJson } from '../policy/policyKernel.ts';

export interface ServiceReject {
  readonly saddr: string;
  readonly sport: number;
  /** The ClusterIP and port the client addressed. */
  readonly daddr: string;
  readonly dport: number;
  /** Lower case: tcp, udp, sctp. */
  readonly proto: string;
  readonly packets: number;
}

const PROTO_BY_NUMBER: Readonly<Record<string, string>> = { '6': 'tcp', '17': 'udp', '132': 'sctp' };

/** `nft -j list set inet weft svc-rejects` → its records. Malformed elements are skipped. */
export function parseServiceRejects(json: string): ServiceReject[] {
  const out: ServiceReject[] = [];
  for (const e of parseSetJson(json).elements) {
    const { key, meta } = elementKey(e, []);
    const [saddr, sport, daddr, proto, dport] = key.split(' . ');
    if (saddr === undefined || sport === undefined || daddr === undefined || proto === undefined || dport === undefined) continue;
    const c = meta?.['counter'];
    const n = typeof c === 'object' && c !== null && !Array.isArray(c) ? (c as Record<string, unknown>)['packets'] : undefined;
    const packets = typeof n === 'number' ? n : 0;
    out.push({ saddr, sport: Number(sport), daddr, dport: Number(dport), proto: PROTO_BY_NUMBER[proto] ?? proto, packets });
  }
  return out;
}

/** The node's reject records (none when the table or set does not exist yet). */
export async function readServiceRejects(tools: NetTools): Promise<ServiceReject[]> {
  const json = await listNftJson(tools, ['set', NFT_FAMILY, NFT_TABLE, SVC.rejectsSet]);
  return json === undefined ? [] : parseServiceRejects(json);
}
