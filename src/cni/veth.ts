/**
 * Pod wiring as data: names, MACs and the two `ip -batch` scripts that wire a
 * pod (one run in the node's netns, one in the pod's), and the check of the
 * observed state against what ADD set up. Pure; wire.ts runs them.
 */
import { sha1Hex } from './sha1.ts';

/** The link-local gateway every pod routes through; held by each host-side veth. */
export const GATEWAY_IP = '169.254.1.1';

export interface WireRequest {
  containerId: string;
  ifName: string;
  netns: string;
  /** The pod's IPv4 address (no prefix). */
  ip: string;
  mtu?: number;
}

export interface WirePlan {
  hostVeth: string;
  hostMac: string;
  podMac: string;
  /** `ip -batch -` input for the node's netns. */
  hostBatch: string;
  /** `ip -batch -` input for the pod's netns. */
  podBatch: string;
}

function digest(containerId: string, ifName: string): string {
  return sha1Hex(containerId + ifName);
}

/** Host-side veth name: `wf` + 11 hex digits of sha1(containerId + ifName) (13 chars < IFNAMSIZ). */
export function hostVethName(containerId: string, ifName: string): string {
  return `wf${digest(containerId, ifName).slice(0, 11)}`;
}

/** True for names hostVethName produces. */
export function isHostVethName(name: string): boolean {
  return /^wf[0-9a-f]{11}$/.test(name);
}

/** Deterministic locally administered unicast MACs, so ADD needs no read-back. */
export function vethMacs(containerId: string, ifName: string): { host: string; pod: string } {
  const h = digest(containerId, ifName).slice(12, 22);
  const tail = (h.match(/../g) ?? []).join(':');
  return { host: `06:${tail}`, pod: `0a:${tail}` };
}

export function planWiring(req: WireRequest): WirePlan {
  const hostVeth = hostVethName(req.containerId, req.ifName);
  const macs = vethMacs(req.containerId, req.ifName);
  const mtu = req.mtu === undefined ? '' : ` mtu ${req.mtu}`;
  const hostBatch = [
    `link add ${hostVeth}${mtu} address ${macs.host} type veth peer name ${req.ifName}${mtu} address ${macs.pod} netns ${req.netns}`,
    `addr add ${GATEWAY_IP}/32 dev ${hostVeth}`,
    `link set ${hostVeth} up`,
    `route add ${req.ip}/32 dev ${hostVeth}`,
  ];
  const podBatch = [
    `addr add ${req.ip}/32 dev ${req.ifName}`,
    'link set lo up',
    `link set ${req.ifName} up`,
    `route add default via ${GATEWAY_IP} dev ${req.ifName} onlink`,
  ];
  return { hostVeth, hostMac: macs.host, podMac: macs.pod, hostBatch: `${hostBatch.join('\n')}\n`, podBatch: `${podBatch.join('\n')}\n` };
}

/** The line number ip names in "Command failed -:N" (the last, when there are several); undefined without one. */
export function failedBatchLine(message: string): number | undefined {
  const all = [...message.matchAll(/Command failed -:(\d+)/g)];
  const n = all.at(-1)?.[1];
  return n === undefined ? undefined : Number(n);
}

/**
 * Whether a failed hostBatch created the veth pair. Its first line is the
 * `link add`, and ip stops at the first failing line and names it: a failure
 * on line 2 or later means the pair is this ADD's. A failure on line 1 (e.g.
 * "File exists": the name is taken) or one without a line number (a timeout,
 * a crash) counts as not created: ADD never deletes a veth it cannot show it
 * created.
 */
export function hostBatchCreatedVeth(failure: string): boolean {
  const line = failedBatchLine(failure);
  return line !== undefined && line > 1;
}

/** The subset of `ip -j addr show` / `ip -j route show` that CHECK reads. */
export interface ObservedLink {
  ifname: string;
  flags?: string[];
  address?: string;
  addr_info?: { family?: string; local?: string; prefixlen?: number }[];
}
export interface ObservedRoute {
  dst?: string;
  gateway?: string;
  dev?: string;
  flags?: string[];
}
export interface ObservedNet {
  links: ObservedLink[];
  routes: ObservedRoute[];
}

function linkProblems(where: string, links: ObservedLink[], name: string, addr: string): string[] {
  const link = links.find((l) => l.ifname === name);
  if (link === undefined) return [`${where}: interface ${name} does not exist`];
  const out: string[] = [];
  if (!(link.flags ?? []).includes('UP')) out.push(`${where}: interface ${name} is down`);
  const has = (link.addr_info ?? []).some((a) => a.family === 'inet' && a.local === addr && a.prefixlen === 32);
  if (!has) out.push(`${where}: interface ${name} lacks address ${addr}/32`);
  return out;
}

/** Everything that differs from what ADD set up; empty when the wiring is intact. */
export function wiringProblems(exp: { hostVeth: string; ifName: string; ip: string }, host: ObservedNet, pod: ObservedNet): string[] {
  const out = [...linkProblems('node', host.links, exp.hostVeth, GATEWAY_IP), ...linkProblems('pod', pod.links, exp.ifName, exp.ip)];
  const hostRoute = host.routes.some((r) => (r.dst === exp.ip || r.dst === `${exp.ip}/32`) && r.dev === exp.hostVeth);
  if (!hostRoute) out.push(`node: no route ${exp.ip}/32 dev ${exp.hostVeth}`);
  const podRoute = pod.routes.some((r) => r.dst === 'default' && r.gateway === GATEWAY_IP && r.dev === exp.ifName);
  if (!podRoute) out.push(`pod: no route default via ${GATEWAY_IP} dev ${exp.ifName}`);
  return out;
}
