/**
 * The on-disk shape of the node IPAM state, validated on load. A corrupt file
 * is an error (never silently reset: that could hand one address to two pods).
 */
import { WeftError, ErrorCode } from '../errors.ts';
import { isIp } from '../util/cidr.ts';

export interface IpAllocation {
  ip: string;
  containerId: string;
  ifName: string;
  podNamespace?: string;
  podName?: string;
  allocatedAt: string;
}

export interface IpamState {
  version: 1;
  cidr: string;
  last: number;
  allocations: IpAllocation[];
}

function bad(file: string, why: string): WeftError {
  return new WeftError(ErrorCode.Internal, `IPAM state file ${file} is corrupt: ${why}`);
}

function str(v: unknown): v is string {
  return typeof v === 'string' && v !== '';
}

function parseAllocation(file: string, v: unknown): IpAllocation {
  const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  const { ip, containerId, ifName, podNamespace, podName, allocatedAt } = o;
  if (!str(ip) || !isIp(ip)) throw bad(file, `allocation ${JSON.stringify(v)} has no valid "ip"`);
  if (!str(containerId) || !str(ifName)) throw bad(file, `allocation of ${ip} lacks containerId or ifName`);
  const a: IpAllocation = { ip, containerId, ifName, allocatedAt: typeof allocatedAt === 'string' ? allocatedAt : '' };
  if (str(podNamespace)) a.podNamespace = podNamespace;
  if (str(podName)) a.podName = podName;
  return a;
}

export function parseIpamState(file: string, text: string): IpamState {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw bad(file, (err as Error).message);
  }
  const o = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  if (o['version'] !== 1) throw bad(file, `version ${JSON.stringify(o['version'])} is not 1`);
  if (!str(o['cidr'])) throw bad(file, 'no "cidr"');
  if (!Array.isArray(o['allocations'])) throw bad(file, '"allocations" is not an array');
  const allocations = o['allocations'].map((a: unknown) => parseAllocation(file, a));
  const ips = new Set<string>();
  const owners = new Set<string>();
  for (const a of allocations) {
    if (ips.has(a.ip)) throw bad(file, `address ${a.ip} appears twice`);
    const owner = `${a.containerId} ${a.ifName}`;
    if (owners.has(owner)) throw bad(file, `container ${owner} holds two addresses`);
    ips.add(a.ip);
    owners.add(owner);
  }
  const last = typeof o['last'] === 'number' && Number.isInteger(o['last']) ? o['last'] : 0;
  return { version: 1, cidr: o['cidr'], last, allocations };
}
