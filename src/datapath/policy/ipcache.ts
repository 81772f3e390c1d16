/**
 * The ipcache: an nftables map from every known pod IP (local, other nodes,
 * other clusters) to its security identity — the node's IP→endpoint table.
 * Updated element by element from a shadow copy; re-read from the kernel on
 * the first sync and after any failure, so an agent restart never flushes it.
 */
import { z } from 'zod';
import { applyDiff, diffElements, elementCommands } from '../nft/nftElements.ts';
import { compileNftTable, IPCACHE, NFT_FAMILY, NFT_TABLE } from '../nft/nftTable.ts';
import type { NetTools } from '../netTools.ts';
import { RESERVED_IDENTITY } from '../../policy/types.ts';

export const IPCACHE_MAP = IPCACHE;
const TABLE = `${NFT_FAMILY} ${NFT_TABLE}`;

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

const MapJson = z.object({
  nftables: z.array(z.object({ map: z.object({ name: z.string(), elem: z.array(z.tuple([z.string(), z.number()])).optional() }).optional() }).loose()),
});

export function parseIpcacheElements(json: string): Map<string, string> {
  const parsed = MapJson.parse(JSON.parse(json));
  const out = new Map<string, string>();
  for (const o of parsed.nftables) for (const [ip, id] of o.map?.elem ?? []) out.set(ip, identityValue(id));
  return out;
}

export interface IpcacheSyncReport {
  readonly added: number;
  readonly removed: number;
  readonly fullResync: boolean;
}

export class NftIpcache {
  readonly #tools: NetTools;
  #shadow = new Map<string, string>();
  #dirty = true;

  constructor(tools: NetTools) {
    this.#tools = tools;
  }

  async sync(desired: ReadonlyMap<string, string>): Promise<IpcacheSyncReport> {
    const fullResync = this.#dirty;
    try {
      if (this.#dirty) {
        await this.#tools.run('nft', ['-f', '-'], compileNftTable());
        this.#shadow = parseIpcacheElements(await this.#tools.run('nft', ['-j', 'list', 'map', NFT_FAMILY, NFT_TABLE, IPCACHE_MAP]));
        this.#dirty = false;
      }
      const diff = diffElements(this.#shadow, desired);
      const lines = elementCommands(TABLE, IPCACHE_MAP, diff);
      if (lines.length > 0) await this.#tools.run('nft', ['-f', '-'], `${lines.join('\n')}\n`);
      applyDiff(this.#shadow, diff);
      return { added: diff.add.length, removed: diff.remove.length, fullResync };
    } catch (err) {
      this.#dirty = true;
      throw err;
    }
  }
}
