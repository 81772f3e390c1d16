/**
 * Which addresses of a service CIDR can be ClusterIPs (pure): every address
 * but the network and broadcast ones (all of a /31 or /32). Dynamic
 * allocation prefers the upper band, leaving the lower band to requested
 * IPs, as Kubernetes does (KEP-3070).
 */
import { WeftError, ErrorCode } from '../errors.ts';
import { cidrContainsIp, cidrSize, formatIp, parseCidr, parseIp } from '../util/cidr.ts';

export interface ClusterIpRange {
  readonly cidr: string;
  /** First and last usable address, as numbers. */
  readonly first: number;
  readonly last: number;
  /** First address of the upper (dynamic) band. */
  readonly dynamicStart: number;
}

export function clusterIpRange(serviceCIDR: string): ClusterIpRange {
  const c = parseCidr(serviceCIDR);
  const size = cidrSize(c);
  const first = size <= 2 ? c.base : c.base + 1;
  const last = size <= 2 ? c.base + size - 1 : c.base + size - 2;
  const usable = last - first + 1;
  const lowerBand = usable < 16 ? 0 : Math.min(Math.max(16, Math.floor(usable / 16)), 256);
  return { cidr: serviceCIDR, first, last, dynamicStart: first + lowerBand };
}

/** Why `ip` cannot be a ClusterIP of the range, or undefined when it can. */
export function clusterIpProblem(range: ClusterIpRange, ip: string): string | undefined {
  let n: number;
  try {
    n = parseIp(ip);
  } catch {
    return `clusterIP "${ip}" is not an IPv4 address`;
  }
  const c = parseCidr(range.cidr);
  if (!cidrContainsIp(c, n)) return `clusterIP ${ip} is outside the service CIDR ${range.cidr}`;
  if (n < range.first || n > range.last) return `clusterIP ${ip} is the ${n === c.base ? 'network' : 'broadcast'} address of the service CIDR ${range.cidr}`;
  return undefined;
}

/** Throws WeftError(InvalidInput) naming the IP and the CIDR when `ip` cannot be a ClusterIP of `serviceCIDR`. */
export function checkClusterIp(serviceCIDR: string, ip: string): void {
  const problem = clusterIpProblem(clusterIpRange(serviceCIDR), ip);
  if (problem !== undefined) throw new WeftError(ErrorCode.InvalidInput, problem);
}

/** The usable addresses in dynamic-allocation order: the upper band, then the lower band. */
export function* dynamicOrder(range: ClusterIpRange): Generator<string> {
  for (let n = range.dynamicStart; n <= range.last; n++) yield formatIp(n);
  for (let n = range.first; n < range.dynamicStart; n++) yield formatIp(n);
}
