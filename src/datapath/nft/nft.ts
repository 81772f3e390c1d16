/**
 * Drive nftables (thin): apply a table transaction with one `nft -f -`, read
 * a table back with `nft -j`, delete it. Tables are in the `inet` family.
 */
import { z } from 'zod';
import { WeftError, ErrorCode } from '../../errors.ts';
import { hostNetTools, isNoSuchNftObject, listNftJson } from '../netTools.ts';
import type { NetTools } from '../netTools.ts';
import { NFT_FAMILY, NFT_TABLE } from './nftTable.ts';

export interface NftTableSummary {
  name: string;
  chains: string[];
  sets: string[];
  maps: string[];
  counters: Record<string, { packets: number; bytes: number }>;
  /** Number of rules per chain. */
  rules: Record<string, number>;
}

const NftJson = z.object({
  nftables: z.array(
    z.object({
      chain: z.object({ name: z.string() }).optional(),
      set: z.object({ name: z.string() }).optional(),
      map: z.object({ name: z.string() }).optional(),
      counter: z.object({ name: z.string(), packets: z.number(), bytes: z.number() }).optional(),
      rule: z.object({ chain: z.string() }).optional(),
    }),
  ),
});

/** Apply `text` (nft -f syntax) as ONE atomic transaction: all of it or nothing. */
export async function applyNftTable(text: string, tools: NetTools = hostNetTools()): Promise<void> {
  await tools.run('nft', ['-f', '-'], text);
}

export function parseNftTable(name: string, text: string): NftTableSummary {
  let parsed: z.infer<typeof NftJson>;
  try {
    parsed = NftJson.parse(JSON.parse(text));
  } catch (err) {
    throw new WeftError(ErrorCode.Internal, `cannot parse nft -j output for table ${NFT_FAMILY} ${name}: ${text.slice(0, 200)}`, { cause: err });
  }
  const out: NftTableSummary = { name, chains: [], sets: [], maps: [], counters: {}, rules: {} };
  for (const o of parsed.nftables) {
    if (o.chain) out.chains.push(o.chain.name);
    if (o.set) out.sets.push(o.set.name);
    if (o.map) out.maps.push(o.map.name);
    if (o.counter) out.counters[o.counter.name] = { packets: o.counter.packets, bytes: o.counter.bytes };
    if (o.rule) out.rules[o.rule.chain] = (out.rules[o.rule.chain] ?? 0) + 1;
  }
  return out;
}

/** The table's objects and counters, or undefined when there is no such table. */
export async function listNftTable(name: string = NFT_TABLE, tools: NetTools = hostNetTools()): Promise<NftTableSummary | undefined> {
  const json = await listNftJson(tools, ['table', NFT_FAMILY, name]);
  return json === undefined ? undefined : parseNftTable(name, json);
}

/** Delete the table; false when there was none. */
export async function deleteNftTable(name: string = NFT_TABLE, tools: NetTools = hostNetTools()): Promise<boolean> {
  try {
    await tools.run('nft', ['delete', 'table', NFT_FAMILY, name]);
    return true;
  } catch (err) {
    if (isNoSuchNftObject(err)) return false;
    throw err;
  }
}
