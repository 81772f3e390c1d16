/**
 * Service load-balancing as nftables data (pure): frontends → per frontend
 * the backends it spreads over, plus the few `svc-lb-<proto>-<N>` chains in
 * use. servicesPlan.ts expands a frontend into its elements only when it
 * changed, so a sync of 10k unchanged frontends costs a string compare each.
 *
 *   svc-ips          10.96.0.10 . tcp . 80 : goto svc-lb-tcp-2
 *   svc-lb-tcp-2     dnat ip to ip daddr . tcp dport . numgen random mod 2 map @svc-eps-tcp
 *   svc-eps-tcp      10.96.0.10 . 80 . 0 : 10.1.1.5 . 8080,  10.96.0.10 . 80 . 1 : 10.1.2.7 . 8080
 *   svc-nobackend    10.96.0.11 . udp . 53          (no backend: rejected at once)
 *   svc-vips         10.96.0.10, 10.96.0.11         (other ports of a ClusterIP: rejected)
 *
 * Everything a frontend owns is keyed by its ClusterIP . proto . port, so the
 * same frontends always give the same objects (an agent restart recomputes
 * them exactly) and a backend change touches only that frontend's elements.
 * Why not a chain per frontend and per backend: README.md › Services.
 */
import { SVC, SVC_L4 } from '../nft/nftTable.ts';
import type { SvcL4 } from '../nft/nftTable.ts';
import type { Frontend } from './serviceTypes.ts';

/** One frontend as nft data: what it load-balances over, in index order. */
export interface FrontendNft {
  /** `ip . proto . port`: the svc-ips / svc-nobackend element. */
  readonly key: string;
  readonly vip: string;
  readonly port: number;
  readonly proto: SvcL4;
  /** `ip . port` per backend, index i in svc-eps-<proto>; empty: no backend. */
  readonly backends: readonly string[];
  /** Equal signatures ⇔ equal elements (servicesKernel.ts derives the same text from the kernel). */
  readonly signature: string;
}

export interface ServiceChain {
  readonly rule: string;
  /** What servicesKernel.ts reads back for this chain when it holds exactly `rule`. */
  readonly signature: string;
}

export interface ServiceNftDesired {
  readonly frontends: ReadonlyMap<string, FrontendNft>;
  /** svc-vips: every ClusterIP that has a frontend. */
  readonly vips: ReadonlySet<string>;
  /** `svc-lb-<proto>-<N>` chains in use → their single rule. */
  readonly chains: ReadonlyMap<string, ServiceChain>;
  /** Frontends or backends skipped (invalid, duplicate), with the value. */
  readonly warnings: readonly string[];
}

export function lbChainName(proto: SvcL4, backends: number): string {
  return `${SVC.lbChainPrefix}${proto}-${backends}`;
}

/** Signature of a `svc-lb-<proto>-<N>` chain holding exactly its one rule. */
export function lbSignature(proto: SvcL4, backends: number): string {
  return `lb:${proto}:${backends}`;
}

/** The one rule of `svc-lb-<proto>-<N>`: pick index 0…N-1 at random, DNAT to what svc-eps-<proto> holds for it. */
export function lbChainRule(proto: SvcL4, backends: number): string {
  const what = `${proto} services with ${backends} backend${backends === 1 ? '' : 's'}`;
  return `dnat ip to ip daddr . ${proto} dport . numgen random mod ${backends} map @${SVC.endpointsMaps[proto]} comment "weft: ${what}"`;
}

export function frontendSignature(key: string, backends: readonly string[]): string {
  return `${key}=${backends.join(',')}`;
}

const validPort = (p: number): boolean => Number.isInteger(p) && p >= 1 && p <= 65535;

/**
 * Same answer as util/cidr.ts isIp (four dot-separated groups of 1-3 digits, each ≤ 255), without
 * a regex or an exception: it runs for every backend of every frontend on each sync (50k at scale).
 */
export function isIpv4(s: string): boolean {
  let groups = 0;
  let digits = 0;
  let value = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || value > 255 || ++groups > 4) return false;
      digits = 0;
      value = 0;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      value = value * 10 + (c - 48);
      digits++;
    } else return false;
  }
  return groups === 4;
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Backends as `ip . port`, deduplicated and sorted (plain string order: only determinism matters). */
function backendList(f: Frontend, warnings: string[]): string[] {
  const out: string[] = [];
  for (const b of f.backends) {
    if (!isIpv4(b.ip) || !validPort(b.port)) {
      warnings.push(`service ${f.namespace}/${f.name} port ${f.port}/${f.protocol}: backend ${b.ip}:${b.port} skipped (invalid address or port)`);
      continue;
    }
    out.push(`${b.ip} . ${b.port}`);
  }
  if (out.length < 2) return out;
  out.sort(byText);
  return out.filter((x, i) => i === 0 || x !== out[i - 1]);
}

const ownerName = (f: Frontend): string => `${f.namespace}/${f.name}`;

interface CompiledFrontend {
  readonly nft: FrontendNft | undefined;
  readonly warnings: readonly string[];
}

/**
 * Frontends are immutable values: the result for one object is remembered (weakly), so a sync where
 * the producer hands back the same objects for unchanged frontends costs a lookup per frontend.
 */
const compiled = new WeakMap<Frontend, CompiledFrontend>();

function compileFrontend(f: Frontend): CompiledFrontend {
  const warnings: string[] = [];
  if (f.clusterIP === '') return { nft: undefined, warnings }; // no ClusterIP yet: nothing to program
  if (!isIpv4(f.clusterIP) || !validPort(f.port)) {
    warnings.push(`service ${ownerName(f)}: frontend ${f.clusterIP}:${f.port}/${f.protocol} skipped (invalid address or port)`);
    return { nft: undefined, warnings };
  }
  const proto: SvcL4 = f.protocol === 'TCP' ? 'tcp' : 'udp';
  const key = `${f.clusterIP} . ${proto} . ${f.port}`;
  const backends = backendList(f, warnings);
  return { nft: { key, vip: f.clusterIP, port: f.port, proto, backends, signature: frontendSignature(key, backends) }, warnings };
}

export function compileServices(frontends: readonly Frontend[]): ServiceNftDesired {
  const warnings: string[] = [];
  const out = new Map<string, FrontendNft>();
  const owner = new Map<string, Frontend>();
  for (const f of frontends) {
    let c = compiled.get(f);
    if (c === undefined) {
      c = compileFrontend(f);
      compiled.set(f, c);
    }
    if (c.warnings.length > 0) warnings.push(...c.warnings);
    if (c.nft === undefined) continue;
    const other = owner.get(c.nft.key);
    if (other !== undefined) {
      // Two services claim one frontend: the first by namespace/name keeps it, whatever the input order.
      const [keep, drop] = ownerName(other) <= ownerName(f) ? [other, f] : [f, other];
      warnings.push(`service ${ownerName(drop)}: frontend ${f.clusterIP}:${f.port}/${f.protocol} skipped (already used by ${ownerName(keep)})`);
      if (keep === other) continue;
    }
    owner.set(c.nft.key, f);
    out.set(c.nft.key, c.nft);
  }
  const counts: Record<SvcL4, Set<number>> = { tcp: new Set(), udp: new Set() };
  const vips = new Set<string>();
  for (const fe of out.values()) {
    vips.add(fe.vip);
    if (fe.backends.length > 0) counts[fe.proto].add(fe.backends.length);
  }
  const chains = new Map<string, ServiceChain>();
  for (const proto of SVC_L4) {
    for (const n of [...counts[proto]].sort((a, b) => a - b)) chains.set(lbChainName(proto, n), { rule: lbChainRule(proto, n), signature: lbSignature(proto, n) });
  }
  return { frontends: out, vips, chains, warnings };
}
