/**
 * Table `inet weft` as the kernel holds it: ONE `nft -j list table inet weft`
 * parsed into the form the planners compare (services per frontend, the
 * ipcache, the policy sets per endpoint). Parsing is pure; the two readers
 * are thin. No table (a fresh node) reads as an empty table.
 */
import { listNftJson } from '../netTools.ts';
import type { NetTools } from '../netTools.ts';
import { nftJsonItems } from './nftJson.ts';
import { NFT_FAMILY, NFT_TABLE } from './nftTable.ts';
import { emptyTableState } from './tablePlan.ts';
import type { NftTableState } from './tablePlan.ts';
import { serviceStateFromItems } from '../services/servicesKernel.ts';
import { ipcacheFromItems } from '../policy/ipcache.ts';
import { policyStateFromItems } from '../policy/policyKernel.ts';
import type { EndpointPolicyElements } from '../policy/policyCompile.ts';

export function parseTableState(json: string): NftTableState {
  const items = nftJsonItems(json, `nft -j output for table ${NFT_FAMILY} ${NFT_TABLE}`);
  return { services: serviceStateFromItems(items), ipcache: ipcacheFromItems(items), policy: policyStateFromItems(items) };
}

/** Read the whole table back (one `nft -j`); empty when the node has no table yet. */
export async function readTableState(tools: NetTools): Promise<NftTableState> {
  const json = await listNftJson(tools, ['table', NFT_FAMILY, NFT_TABLE]);
  return json === undefined ? emptyTableState() : parseTableState(json);
}

/** The policy sets the kernel holds, grouped per endpoint IP. */
export async function readPolicySets(tools: NetTools): Promise<ReadonlyMap<string, EndpointPolicyElements>> {
  return (await readTableState(tools)).policy;
}
