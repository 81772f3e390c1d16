/**
 * IPv4 addresses and CIDRs as numbers. Every parse failure is a WeftError
 * naming the offending value.
 */
import { WeftError, ErrorCode } from '../errors.ts';

export interface Cidr {
  /** Network address as an unsigned 32-bit integer (host bits zero). */
  readonly base: number;
  readonly prefix: number;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function parseIp(ip: string): number {
  const m = IPV4.exec(ip);
  if (!m) throw new WeftError(ErrorCode.InvalidInput, `"${ip}" is not an IPv4 address`);
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255) throw new WeftError(ErrorCode.InvalidInput, `"${ip}" is not an IPv4 address (octet ${octet} > 255)`);
    n = n * 256 + octet;
  }
  return n;
}

export function isIp(ip: string): boolean {
  try {
    parseIp(ip);
    return true;
  } catch {
    return false;
  }
}

export function formatIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Parse "a.b.c.d/n"; host bits must be zero. */
export function parseCidr(cidr: string): Cidr {
  const slash = cidr.indexOf('/');
  if (slash < 0) throw new WeftError(ErrorCode.InvalidCidr, `"${cidr}" is not a CIDR: expected address/prefix such as 10.1.0.0/16`);
  const addr = cidr.slice(0, slash);
  const prefixText = cidr.slice(slash + 1);
  if (!/^\d{1,2}$/.test(prefixText) || Number(prefixText) > 32) {
    throw new WeftError(ErrorCode.InvalidCidr, `"${cidr}" is not a CIDR: prefix length "${prefixText}" is not 0-32`);
  }
  let ip: number;
  try {
    ip = parseIp(addr);
  } catch {
    throw new WeftError(ErrorCode.InvalidCidr, `"${cidr}" is not a CIDR: "${addr}" is not an IPv4 address`);
  }
  const prefix = Number(prefixText);
  const base = (ip & mask(prefix)) >>> 0;
  if (base !== ip) {
    throw new WeftError(ErrorCode.InvalidCidr, `"${cidr}" is not a CIDR: host bits are set (did you mean ${formatIp(base)}/${prefix}?)`);
  }
  return { base, prefix };
}

export function formatCidr(c: Cidr): string {
  return `${formatIp(c.base)}/${c.prefix}`;
}

export function cidrSize(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

export function cidrContainsIp(c: Cidr, ip: number): boolean {
  return ((ip & mask(c.prefix)) >>> 0) === c.base;
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  const p = Math.min(a.prefix, b.prefix);
  return ((a.base & mask(p)) >>> 0) === ((b.base & mask(p)) >>> 0);
}

/** Number of /newPrefix subnets in c. */
export function subnetCount(c: Cidr, newPrefix: number): number {
  if (newPrefix < c.prefix) return 0;
  return 2 ** (newPrefix - c.prefix);
}

/** The index-th /newPrefix subnet of c. */
export function subnetAt(c: Cidr, newPrefix: number, index: number): Cidr {
  if (newPrefix < c.prefix || newPrefix > 32) {
    throw new WeftError(ErrorCode.InvalidCidr, `cannot carve /${newPrefix} subnets from ${formatCidr(c)}`);
  }
  if (index < 0 || index >= subnetCount(c, newPrefix)) {
    throw new WeftError(ErrorCode.PoolExhausted, `${formatCidr(c)} has no /${newPrefix} subnet number ${index}`);
  }
  return { base: (c.base + index * 2 ** (32 - newPrefix)) >>> 0, prefix: newPrefix };
}

/** The n-th address of c (0 = network address). */
export function hostAt(c: Cidr, n: number): number {
  if (n < 0 || n >= cidrSize(c)) throw new WeftError(ErrorCode.PoolExhausted, `${formatCidr(c)} has no address number ${n}`);
  return (c.base + n) >>> 0;
}
