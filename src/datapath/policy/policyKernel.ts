/**
 * The policy sets as the kernel holds them, parsed from `nft -j list set
 * inet weft <set>` output (pure), in the text form policyCompile.ts produces
 * (`10.1.0.5 . 0x10100 . tcp . 6379`) and grouped per endpoint IP, so an
 * endpoint the kernel holds exactly right compares equal by signature.
 */
import { WeftError, ErrorCode } from '../../errors.ts';
import { isJsonObject, nftJsonItems } from '../nft/nftJson.ts';
import type { NftJson } from '../nft/nftJson.ts';
import { endpointElements, POLICY_SETS } from './policyCompile.ts';
import type { EndpointPolicyElements } from './policyCompile.ts';
import { identityValue } from './ipcache.ts';

type Json = NftJson;
const isObj = isJsonObject;

const PROTO_NAMES: Readonly<Record<number, string>> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 132: 'sctp' };

/** One key component as text: marks in hex, protocols by name, the rest as is. */
function component(x: Json, type: string): string {
  if (type === 'mark' && typeof x === 'number') return identityValue(x);
  if (type === 'inet_proto' && typeof x === 'number') return PROTO_NAMES[x] ?? String(x);
  if (typeof x === 'string' || typeof x === 'number') return String(x);
  return JSON.stringify(x);
}

/** A set element's key (unwrapping `{elem: {val}}`), as text, plus the element object when wrapped. */
export function elementKey(e: Json, types: readonly string[]): { key: string; meta: Record<string, Json> | undefined } {
  let val = e;
  let meta: Record<string, Json> | undefined;
  if (isObj(e) && isObj(e['elem'])) {
    meta = e['elem'];
    val = meta['val'];
  }
  const parts = isObj(val) && Array.isArray(val['concat']) ? val['concat'] : [val];
  return { key: parts.map((p, i) => component(p, types[i] ?? '')).join(' . '), meta };
}

export interface ParsedSet {
  readonly name: string;
  readonly types: readonly string[];
  readonly elements: readonly Json[];
}

/** Every set among the items of an `nft -j list set|table …` document. */
export function setsFromItems(items: readonly Json[]): ParsedSet[] {
  const out: ParsedSet[] = [];
  for (const item of items) {
    if (!isObj(item) || !isObj(item['set'])) continue;
    const set = item['set'];
    const type = set['type'];
    const types = Array.isArray(type) ? type.map(String) : [String(type)];
    out.push({ name: String(set['name']), types, elements: Array.isArray(set['elem']) ? set['elem'] : [] });
  }
  return out;
}

/** The first set of an `nft -j list set …` document. */
export function parseSetJson(json: string): ParsedSet {
  const set = setsFromItems(nftJsonItems(json, 'nft -j set output'))[0];
  if (set === undefined) throw new WeftError(ErrorCode.Internal, `nft -j output holds no set: ${json.slice(0, 200)}`);
  return set;
}

/** The policy sets among the items of an `nft -j list table inet weft` document, grouped per endpoint IP. */
export function policyStateFromItems(items: readonly Json[]): Map<string, EndpointPolicyElements> {
  const sets = new Map<string, string[]>();
  for (const set of setsFromItems(items)) {
    if (POLICY_SETS.includes(set.name)) sets.set(set.name, set.elements.map((e) => elementKey(e, set.types).key));
  }
  return groupPolicyElements(sets);
}

/** Element keys of one policy set, as text. */
export function parsePolicySetElements(json: string): string[] {
  const set = parseSetJson(json);
  return set.elements.map((e) => elementKey(e, set.types).key);
}

/** set name → its element keys (as read) → per endpoint IP (the first key component). */
export function groupPolicyElements(sets: ReadonlyMap<string, readonly string[]>): Map<string, EndpointPolicyElements> {
  const raw = new Map<string, Map<string, string[]>>();
  for (const [name, keys] of sets) {
    for (const key of keys) {
      const ip = key.split(' . ')[0] ?? key;
      let per = raw.get(ip);
      if (per === undefined) raw.set(ip, (per = new Map<string, string[]>()));
      const list = per.get(name);
      if (list === undefined) per.set(name, [key]);
      else list.push(key);
    }
  }
  return new Map([...raw].map(([ip, per]) => [ip, endpointElements(ip, per)]));
}
