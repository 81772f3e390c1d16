/**
 * The ipcache: an nftables map from every known pod IP (local, other nodes,
 * other clusters) to its security identity — the node's IP→endpoint table.
 * Compiled here (pure); applied element by element by the one table applier
 * (nft/tableApplier.ts), which reads it back on the first sync and after any
 * failure, so an agent restart never flushes it.
 */
import { IPCACHE } from '../nft/nftTable.ts';
import { isJsonObject, nftJsonItems } from '../nft/nftJson.ts';
import type { NftJson } from '../nft/nftJson.ts';
import { RESERVED_IDENTITY } from '../../policy/types.ts';

export const IPCACHE_MAP = IPCACHE;

export function identityValue(identity: number): string {
  return `0x${identity.toString(16)}`;
}

/** The node IPs the ipcache gives reserved identities: this node → host (1), every other node of every cluster → remote-node (6). */
export interface IpcacheNodes {
  readonly selfIp: string;
  readonly nodeIps: Iterable<string>;
}

/**
 * Desired ipcache: IP → identity (as the nft value text). Endpoints whose identity is still 0 are
 * left out (world to everyone). Later endpoints win on a duplicate IP; node IPs win over endpoints
 * (a host-network pod shares its node's IP), this node over the others.
 */
export function compileIpcache(endpoints: Iterable<{ readonly ip: string; readonly identity: number }>, nodes?: IpcacheNodes): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of endpoints) if (e.ip !== '' && e.identity > 0) out.set(e.ip, identityValue(e.identity));
  if (nodes !== undefined) {
    for (const ip of nodes.nodeIps) if (ip !== '') out.set(ip, identityValue(RESERVED_IDENTITY.remoteNode));
    if (nodes.selfIp !== '') out.set(nodes.selfIp, identityValue(RESERVED_IDENTITY.host));
  }
  return out;
}

/** The ipcache elements among the items of an `nft -j list table|map` document (IP → identity text). */
export function ipcacheFromItems(items: readonly NftJson[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const o of items) {
    const map = isJsonObject(o) ? o['map'] : undefined;
    if (!isJsonObject(map) || map['name'] !== IPCACHE_MAP || !Array.isArray(map['elem'])) continue;
    for (const e of map['elem']) {
      if (Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'number') out.set(e[0], identityValue(e[1]));
    }
  }
  return out;
}

export function parseIpcacheElements(json: string): Map<string, string> {
  return ipcacheFromItems(nftJsonItems(json));
}
