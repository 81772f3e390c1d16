/**
 * `nft -j` output (pure): the `nftables` array of a listing, for the parsers
 * of each part of the table (services, ipcache, policy sets) to read from one
 * listing of `inet weft`.
 */
import { WeftError, ErrorCode } from '../../errors.ts';

export type NftJson = unknown;

export const isJsonObject = (x: NftJson): x is Record<string, NftJson> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The `nftables` items of an `nft -j list …` document; throws WeftError(Internal), naming the text, when it is not JSON. */
export function nftJsonItems(json: string, what = 'nft -j output'): readonly NftJson[] {
  let doc: NftJson;
  try {
    doc = JSON.parse(json);
  } catch (err) {
    throw new WeftError(ErrorCode.Internal, `cannot parse ${what}: ${json.slice(0, 200)}`, { cause: err });
  }
  return isJsonObject(doc) && Array.isArray(doc['nftables']) ? doc['nftables'] : [];
}
