/**
 * The cluster's service CIDR is routed locally on every node (`local` route in
 * table local, lo). ClusterIPs with backends are DNATed in prerouting before
 * any route lookup, so this only decides where the rest goes: to the input
 * hook, where a frontend without backends is rejected at once (TCP reset,
 * ICMP port-unreachable) — instead of dying unrouted and making clients hang.
 * Other clusters' service CIDRs are not routed: their ClusterIPs stay
 * unreachable, as in seed 000.
 */
import { WEFT_ROUTE_PROTO } from './types.ts';
import type { NetTools } from '../netTools.ts';

export function serviceCidrRouteArgs(serviceCidr: string): string[] {
  return ['route', 'replace', 'local', serviceCidr, 'dev', 'lo', 'table', 'local', 'proto', String(WEFT_ROUTE_PROTO)];
}

export async function ensureServiceCidrRoute(tools: NetTools, serviceCidr: string): Promise<void> {
  await tools.run('ip', serviceCidrRouteArgs(serviceCidr));
}
