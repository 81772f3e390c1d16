/**
 * The node DNS responder's answers, as data (pure): a table built from the
 * services the agent knows, and the answer to one question.
 *
 * Names served:
 *   <svc>.<ns>.svc.cluster.local      A → the local service's ClusterIP
 *   <svc>.<ns>.svc.clusterset.local   A → the local service's ClusterIP, only when it is global
 * Every other type for a known name (AAAA, …) is NOERROR with no answers (NODATA),
 * as are the names above a known name (`<ns>.svc.cluster.local`, the zone apexes):
 * they exist, they just hold no records. Unknown names inside the two zones are
 * NXDOMAIN with the zone's SOA (negative TTL 5 s).
 *
 * Names outside cluster.local / clusterset.local (the root, example.com, …)
 * get REFUSED at once: the responder is the pods' only nameserver, it is not
 * their authority and it NEVER forwards a query to any other server, so no
 * lookup leaves the lab (the lab's own traffic rule). NXDOMAIN would claim
 * the name does not exist, which only the name's authority may say.
 *
 * Names arrive in presentation format (question.ts): a label holding a dot or
 * an unprintable byte is escaped (`echo\.1`), so it never matches a service.
 */
import { isIp } from '../util/cidr.ts';

/** TTL of every answer and of negative answers (SOA minimum), in seconds. */
export const DNS_TTL_SECONDS = 5;
export const CLUSTER_ZONE = 'cluster.local';
export const CLUSTERSET_ZONE = 'clusterset.local';

export interface DnsService {
  namespace: string;
  name: string;
  /** IPv4; a service without one yet ('' ) is left out of the table. */
  clusterIP: string;
  global: boolean;
}

export interface DnsRecordsInput {
  cluster: string;
  services: readonly DnsService[];
}

export interface DnsQuestion {
  name: string;
  /** Record type as dns-packet spells it: 'A', 'AAAA', 'ANY', 'SRV', … */
  type: string;
}

export interface DnsARecord {
  name: string;
  type: 'A';
  ttl: number;
  data: string;
}

export interface DnsSoaRecord {
  name: string;
  type: 'SOA';
  ttl: number;
  data: { mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number };
}

export type DnsRcode = 'NOERROR' | 'NXDOMAIN' | 'REFUSED';

export interface DnsResult {
  rcode: DnsRcode;
  answers: DnsARecord[];
  /** The zone's SOA on negative answers inside our zones (RFC 2308), empty otherwise. */
  authorities: DnsSoaRecord[];
  /** True inside cluster.local / clusterset.local (we are their authority); REFUSED outside them. */
  authoritative: boolean;
}

export interface DnsTable {
  readonly cluster: string;
  /** Number of names holding an A record. */
  readonly size: number;
  answer(question: DnsQuestion): DnsResult;
}

/** Lower-cased, without the trailing dot (DNS names compare case-insensitively). */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function zoneOf(name: string): string | undefined {
  for (const zone of [CLUSTER_ZONE, CLUSTERSET_ZONE]) {
    if (name === zone || name.endsWith(`.${zone}`)) return zone;
  }
  return undefined;
}

function soa(zone: string, serial: number): DnsSoaRecord {
  return {
    name: zone,
    type: 'SOA',
    ttl: DNS_TTL_SECONDS,
    data: { mname: `ns.dns.${zone}`, rname: `hostmaster.${zone}`, serial, refresh: 60, retry: 10, expire: 3600, minimum: DNS_TTL_SECONDS },
  };
}

/** The name and its ancestors down to (and including) the zone apex. */
function selfAndAncestors(name: string, zone: string): string[] {
  const out = [name];
  let rest = name;
  while (rest !== zone) {
    const dot = rest.indexOf('.');
    if (dot < 0) break;
    rest = rest.slice(dot + 1);
    out.push(rest);
  }
  return out;
}

/** Builds the lookup table; services without a valid IPv4 ClusterIP are skipped. */
export function buildDnsTable(input: DnsRecordsInput, serial = 1): DnsTable {
  const addresses = new Map<string, string>();
  const existing = new Set<string>([CLUSTER_ZONE, CLUSTERSET_ZONE]);
  const add = (name: string, zone: string, ip: string): void => {
    addresses.set(name, ip);
    for (const n of selfAndAncestors(name, zone)) existing.add(n);
  };
  for (const svc of input.services) {
    if (!isIp(svc.clusterIP)) continue;
    const base = `${svc.name}.${svc.namespace}.svc`.toLowerCase();
    add(`${base}.${CLUSTER_ZONE}`, CLUSTER_ZONE, svc.clusterIP);
    if (svc.global) add(`${base}.${CLUSTERSET_ZONE}`, CLUSTERSET_ZONE, svc.clusterIP);
  }
  return {
    cluster: input.cluster,
    size: addresses.size,
    answer(question: DnsQuestion): DnsResult {
      const name = normalizeName(question.name);
      const zone = zoneOf(name);
      if (zone === undefined) return { rcode: 'REFUSED', answers: [], authorities: [], authoritative: false };
      if (!existing.has(name)) return { rcode: 'NXDOMAIN', answers: [], authorities: [soa(zone, serial)], authoritative: true };
      const ip = addresses.get(name);
      const wantsA = question.type === 'A' || question.type === 'ANY';
      if (ip === undefined || !wantsA) return { rcode: 'NOERROR', answers: [], authorities: [soa(zone, serial)], authoritative: true };
      // The answer repeats the name exactly as asked (case preserved, RFC 4343).
      return { rcode: 'NOERROR', answers: [{ name: question.name.replace(/\.$/, ''), type: 'A', ttl: DNS_TTL_SECONDS, data: ip }], authorities: [], authoritative: true };
    },
  };
}
