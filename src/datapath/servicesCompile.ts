/**
 * Service load-balancing as nftables data (pure): frontends → the elements of
 * the service maps and sets, and the few `svc-lb-<N>` chains they jump to.
 *
 *   svc-ips        10.96.0.10 . tcp . 80 : goto svc-lb-2
 *   svc-lb-2       dnat ip to ip daddr . meta l4proto . th dport . numgen random mod 2 map @svc-eps
 *   svc-eps        10.96.0.10 . tcp . 80 . 0 : 10.1.1.5 . 8080,  10.96.0.10 . tcp . 80 . 1 : 10.1.2.7 . 8080
 *   svc-nobackend  10.96.0.11 . udp . 53          (no backend: rejected at once)
 *   svc-hairpin    10.1.1.5 . 10.1.1.5            (a backend reaching itself is masqueraded)
 *
 * Everything a frontend owns is keyed by its ClusterIP . proto . port, so the
 * same frontends always give the same objects (an agent restart recomputes
 * them exactly) and a backend change touches only that frontend's elements.
 * Why not a chain per frontend and per backend: README.md › Services.
 */
import { isIp } from '../util/cidr.ts';
import { SVC } from './nftTable.ts';
import { lbSignature } from './servicesKernel.ts';
import type { Frontend, FrontendBackend } from './serviceTypes.ts';

export interface ServiceNftDesired {
  /** svc-ips: `ip . proto . port` → `goto svc-lb-<N>`. */
  readonly ips: ReadonlyMap<string, string>;
  /** svc-eps: `ip . proto . port . i` → `backendIp . backendPort`. */
  readonly endpoints: ReadonlyMap<string, string>;
  /** svc-nobackend: `ip . proto . port`. */
  readonly noBackend: ReadonlySet<string>;
  /** svc-hairpin: `ip . ip` per backend IP. */
  readonly hairpin: ReadonlySet<string>;
  /** `svc-lb-<N>` chains in use → their single rule and its signature (servicesKernel.ts). */
  readonly chains: ReadonlyMap<string, ServiceChain>;
  /** Frontends or backends skipped (invalid, duplicate), with the value. */
  readonly warnings: readonly string[];
}

export interface ServiceChain {
  readonly rule: string;
  readonly signature: string;
}

export function lbChainName(backends: number): string {
  return `${SVC.lbChainPrefix}${backends}`;
}

/** The one rule of `svc-lb-<N>`: pick index 0…N-1 at random, DNAT to what svc-eps holds for it. */
export function lbChainRule(backends: number): string {
  return `dnat ip to ip daddr . meta l4proto . th dport . numgen random mod ${backends} map @${SVC.endpointsMap} comment "weft: services with ${backends} backend${backends === 1 ? '' : 's'}"`;
}

export function frontendKey(clusterIP: string, protocol: 'TCP' | 'UDP', port: number): string {
  return `${clusterIP} . ${protocol.toLowerCase()} . ${port}`;
}

const validPort = (p: number): boolean => Number.isInteger(p) && p >= 1 && p <= 65535;
const ipNumber = (ip: string): number => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);

/** Backends deduplicated on ip:port and ordered (numeric IP, then port): the index each one gets in svc-eps. */
function orderedBackends(f: Frontend, warnings: string[]): FrontendBackend[] {
  const seen = new Map<string, FrontendBackend>();
  for (const b of f.backends) {
    if (!isIp(b.ip) || !validPort(b.port)) {
      warnings.push(`service ${f.namespace}/${f.name} port ${f.port}/${f.protocol}: backend ${b.ip}:${b.port} skipped (invalid address or port)`);
      continue;
    }
    seen.set(`${b.ip}:${b.port}`, b);
  }
  return [...seen.values()].sort((a, b) => ipNumber(a.ip) - ipNumber(b.ip) || a.port - b.port);
}

export function compileServices(frontends: readonly Frontend[]): ServiceNftDesired {
  const warnings: string[] = [];
  const ips = new Map<string, string>();
  const endpoints = new Map<string, string>();
  const noBackend = new Set<string>();
  const hairpin = new Set<string>();
  const counts = new Set<number>();
  const owner = new Map<string, string>();
  const sorted = [...frontends].sort(
    (a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name) || a.port - b.port || a.protocol.localeCompare(b.protocol),
  );
  for (const f of sorted) {
    const who = `${f.namespace}/${f.name}`;
    if (f.clusterIP === '') continue; // no ClusterIP yet: nothing to program
    if (!isIp(f.clusterIP) || !validPort(f.port)) {
      warnings.push(`service ${who}: frontend ${f.clusterIP}:${f.port}/${f.protocol} skipped (invalid address or port)`);
      continue;
    }
    const key = frontendKey(f.clusterIP, f.protocol, f.port);
    const first = owner.get(key);
    if (first !== undefined) {
      warnings.push(`service ${who}: frontend ${f.clusterIP}:${f.port}/${f.protocol} skipped (already used by ${first})`);
      continue;
    }
    owner.set(key, who);
    const backends = orderedBackends(f, warnings);
    if (backends.length === 0) {
      noBackend.add(key);
      continue;
    }
    counts.add(backends.length);
    ips.set(key, `goto ${lbChainName(backends.length)}`);
    backends.forEach((b, i) => {
      endpoints.set(`${key} . ${i}`, `${b.ip} . ${b.port}`);
      hairpin.add(`${b.ip} . ${b.ip}`);
    });
  }
  const chains = new Map<string, ServiceChain>(
    [...counts].sort((a, b) => a - b).map((n) => [lbChainName(n), { rule: lbChainRule(n), signature: lbSignature(n) }]),
  );
  return { ips, endpoints, noBackend, hairpin, chains, warnings };
}
