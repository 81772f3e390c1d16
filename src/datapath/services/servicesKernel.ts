/**
 * The service part of table `inet weft` as the kernel holds it, parsed from
 * `nft -j list table inet weft` (pure parsing; the applier runs the command)
 * and grouped per frontend, in the same form servicesCompile.ts produces, so
 * a frontend the kernel holds exactly right compares equal by signature.
 * Unknown shapes never throw: they simply differ and get rewritten.
 */
import { isJsonObject, nftJsonItems } from '../nft/nftJson.ts';
import type { NftJson } from '../nft/nftJson.ts';
import { SVC, SVC_L4, SVC_STATIC_CHAINS } from '../nft/nftTable.ts';
import type { SvcL4 } from '../nft/nftTable.ts';
import { frontendSignature, lbChainName, lbSignature } from './servicesCompile.ts';
import type { FrontendNft } from './servicesCompile.ts';

/** The elements one frontend owns. */
export interface FrontendElements {
  readonly proto: SvcL4;
  /** svc-ips value (`goto svc-lb-…`), if any. */
  readonly ips: string | undefined;
  /** svc-eps-<proto>: `vip . port . i` → `ip . port`. */
  readonly endpoints: ReadonlyMap<string, string>;
  readonly noBackend: boolean;
}

/** A frontend as found in the kernel; its signature equals the compiled one only when every element is right. */
export interface KernelFrontend {
  readonly key: string;
  readonly signature: string;
  readonly elements: FrontendElements;
}

export type FrontendState = FrontendNft | KernelFrontend;

export interface ServiceNftState {
  readonly frontends: ReadonlyMap<string, FrontendState>;
  /** svc-vips elements. */
  readonly vips: ReadonlySet<string>;
  /** Every non-static `svc-*` chain → the signature of its rules (see ruleSignature). */
  readonly chains: ReadonlyMap<string, string>;
}

export function emptyServiceState(): ServiceNftState {
  return { frontends: new Map(), vips: new Set(), chains: new Map() };
}

/** Elements of a compiled or kernel frontend. */
export function frontendElements(f: FrontendState): FrontendElements {
  if ('elements' in f) return f.elements;
  const endpoints = new Map<string, string>();
  f.backends.forEach((b, i) => endpoints.set(`${f.vip} . ${f.port} . ${i}`, b));
  const n = f.backends.length;
  return { proto: f.proto, ips: n > 0 ? `goto ${lbChainName(f.proto, n)}` : undefined, endpoints, noBackend: n === 0 };
}

type Json = NftJson;
const isObj = isJsonObject;

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

/** `lb:<proto>:<N>` for `dnat … numgen random mod N map @svc-eps-<proto>`, else `other`. */
export function ruleSignature(expr: Json): string {
  const numgen = findKey(expr, 'numgen');
  const data = findKey(findKey(expr, 'dnat'), 'data');
  const proto = SVC_L4.find((p) => data === `@${SVC.endpointsMaps[p]}`);
  if (proto !== undefined && isObj(numgen) && numgen['mode'] === 'random' && typeof numgen['mod'] === 'number' && (numgen['offset'] ?? 0) === 0) {
    return lbSignature(proto, numgen['mod']);
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
  }
  return JSON.stringify(x);
}

const elems = (obj: Record<string, Json>): Json[] => (Array.isArray(obj['elem']) ? obj['elem'] : []);
const isDynamicChain = (name: string): boolean => name.startsWith('svc-') && !SVC_STATIC_CHAINS.includes(name);

interface Draft {
  proto: SvcL4;
  ips: string | undefined;
  endpoints: Map<string, string>;
  noBackend: boolean;
}

/** Group by frontend key; decide whether the frontend is exactly what compileServices would produce. */
function kernelFrontend(key: string, d: Draft): KernelFrontend {
  const [vip, , port] = key.split(' . ');
  const n = d.endpoints.size;
  const backends: string[] = [];
  for (let i = 0; i < n; i++) {
    const b = d.endpoints.get(`${vip} . ${port} . ${i}`);
    if (b !== undefined) backends.push(b);
  }
  const exact = backends.length === n && (n > 0 ? d.ips === `goto ${lbChainName(d.proto, n)}` && !d.noBackend : d.ips === undefined && d.noBackend);
  return { key, signature: exact ? frontendSignature(key, backends) : `!${key}`, elements: d };
}

export function parseServiceState(json: string): ServiceNftState {
  return serviceStateFromItems(nftJsonItems(json, 'nft -j output for table inet weft'));
}

/** The service part of an `nft -j list table inet weft` document's items. */
export function serviceStateFromItems(items: readonly Json[]): ServiceNftState {
  const drafts = new Map<string, Draft>();
  const draft = (key: string, proto?: SvcL4): Draft => {
    let d = drafts.get(key);
    if (d === undefined) {
      d = { proto: proto ?? (key.split(' . ')[1] === 'udp' ? 'udp' : 'tcp'), ips: undefined, endpoints: new Map(), noBackend: false };
      drafts.set(key, d);
    }
    return d;
  };
  const rules = new Map<string, string[]>();
  const vips = new Set<string>();
  for (const item of items) {
    if (!isObj(item)) continue;
    const { map, set, chain, rule } = item;
    if (isObj(map) && map['name'] === SVC.ipsMap) {
      for (const e of elems(map)) if (Array.isArray(e) && e.length === 2) draft(render(e[0])).ips = render(e[1]);
    }
    for (const proto of SVC_L4) {
      if (!isObj(map) || map['name'] !== SVC.endpointsMaps[proto]) continue;
      for (const e of elems(map)) {
        if (!Array.isArray(e) || e.length !== 2) continue;
        const k = render(e[0]);
        const [vip, port] = k.split(' . ');
        draft(`${vip ?? ''} . ${proto} . ${port ?? ''}`, proto).endpoints.set(k, render(e[1]));
      }
    }
    if (isObj(set) && set['name'] === SVC.noBackendSet) for (const e of elems(set)) draft(render(e)).noBackend = true;
    if (isObj(set) && set['name'] === SVC.vipsSet) for (const e of elems(set)) vips.add(render(e));
    if (isObj(chain) && typeof chain['name'] === 'string' && isDynamicChain(chain['name'])) rules.set(chain['name'], rules.get(chain['name']) ?? []);
    if (isObj(rule) && typeof rule['chain'] === 'string' && isDynamicChain(rule['chain'])) {
      const list = rules.get(rule['chain']) ?? [];
      list.push(ruleSignature(rule['expr']));
      rules.set(rule['chain'], list);
    }
  }
  return {
    frontends: new Map([...drafts].map(([key, d]) => [key, kernelFrontend(key, d)])),
    vips,
    chains: new Map([...rules].map(([name, sigs]) => [name, sigs.join(';')])),
  };
}
