/**
 * The service part of table `inet weft` as the kernel holds it, parsed from
 * `nft -j list table inet weft` (pure parsing; the applier runs the command).
 * Elements are rendered in the same text form compileServices() produces, so
 * the two compare as strings. Unknown shapes never throw: they simply differ
 * from the desired state and get rewritten.
 */
import { WeftError, ErrorCode } from '../errors.ts';
import { SVC, SVC_STATIC_CHAINS } from './nftTable.ts';

export interface ServiceNftState {
  ips: Map<string, string>;
  endpoints: Map<string, string>;
  noBackend: Set<string>;
  hairpin: Set<string>;
  /** Every non-static `svc-*` chain → the signature of its rules (see chainSignature). */
  chains: Map<string, string>;
}

export function emptyServiceState(): ServiceNftState {
  return { ips: new Map(), endpoints: new Map(), noBackend: new Set(), hairpin: new Set(), chains: new Map() };
}

/** Signature of a `svc-lb-<N>` chain holding exactly its one rule. */
export function lbSignature(backends: number): string {
  return `lb:${backends}`;
}

type Json = unknown;
const isObj = (x: Json): x is Record<string, Json> => typeof x === 'object' && x !== null && !Array.isArray(x);

function findKey(x: Json, key: string): Json {
  if (Array.isArray(x)) {
    for (const v of x) {
      const r = findKey(v, key);
      if (r !== undefined) return r;
    }
    return undefined;
  }
  if (!isObj(x)) return undefined;
  if (key in x) return x[key];
  for (const v of Object.values(x)) {
    const r = findKey(v, key);
    if (r !== undefined) return r;
  }
  return undefined;
}

/** `lb:<N>` for `dnat … numgen random mod N map @svc-eps`, else `other`. */
export function ruleSignature(expr: Json): string {
  const numgen = findKey(expr, 'numgen');
  const dnat = findKey(expr, 'dnat');
  const data = findKey(dnat, 'data');
  if (isObj(numgen) && numgen['mode'] === 'random' && typeof numgen['mod'] === 'number' && (numgen['offset'] ?? 0) === 0 && data === `@${SVC.endpointsMap}`) {
    return lbSignature(numgen['mod']);
  }
  return 'other';
}

/** Element key/value in text form: `a . b . c`, `goto chain`. */
function render(x: Json): string {
  if (typeof x === 'string' || typeof x === 'number') return String(x);
  if (isObj(x)) {
    if (isObj(x['elem'])) return render(x['elem']['val']);
    if (Array.isArray(x['concat'])) return x['concat'].map(render).join(' . ');
    for (const verdict of ['goto', 'jump'] as const) {
      const v = x[verdict];
      if (isObj(v)) return `${verdict} ${render(v['target'])}`;
    }
    const keys = Object.keys(x);
    if (keys.length === 1 && x[keys[0] ?? ''] === null) return keys[0] ?? '';
  }
  return JSON.stringify(x);
}

function mapElements(obj: Record<string, Json>): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of Array.isArray(obj['elem']) ? obj['elem'] : []) {
    if (Array.isArray(e) && e.length === 2) out.set(render(e[0]), render(e[1]));
  }
  return out;
}

function setElements(obj: Record<string, Json>): Set<string> {
  return new Set((Array.isArray(obj['elem']) ? obj['elem'] : []).map(render));
}

const isDynamicChain = (name: string): boolean => name.startsWith('svc-') && !SVC_STATIC_CHAINS.includes(name);

export function parseServiceState(json: string): ServiceNftState {
  let doc: Json;
  try {
    doc = JSON.parse(json);
  } catch (err) {
    throw new WeftError(ErrorCode.Internal, `cannot parse nft -j output for table inet weft: ${json.slice(0, 200)}`, { cause: err });
  }
  const items = isObj(doc) && Array.isArray(doc['nftables']) ? doc['nftables'] : [];
  const state = emptyServiceState();
  const rules = new Map<string, string[]>();
  for (const item of items) {
    if (!isObj(item)) continue;
    const { map, set, chain, rule } = item;
    if (isObj(map) && map['name'] === SVC.ipsMap) state.ips = mapElements(map);
    if (isObj(map) && map['name'] === SVC.endpointsMap) state.endpoints = mapElements(map);
    if (isObj(set) && set['name'] === SVC.noBackendSet) state.noBackend = setElements(set);
    if (isObj(set) && set['name'] === SVC.hairpinSet) state.hairpin = setElements(set);
    if (isObj(chain) && typeof chain['name'] === 'string' && isDynamicChain(chain['name'])) rules.set(chain['name'], []);
    if (isObj(rule) && typeof rule['chain'] === 'string' && isDynamicChain(rule['chain'])) {
      const list = rules.get(rule['chain']) ?? [];
      list.push(ruleSignature(rule['expr']));
      rules.set(rule['chain'], list);
    }
  }
  for (const [name, sigs] of rules) state.chains.set(name, sigs.join(';'));
  return state;
}
