/**
 * Compile the node's reachability datapath (pure, no I/O): every remote
 * node's PodCIDR becomes a route (native) or a route + neighbour + FDB entry
 * over weft_vxlan (tunnel).
 *
 * Pod /32 routes to host veths are NOT part of the result: the CNI plugin
 * creates them with the veth and the kernel removes them with it, so a second
 * owner would only fight the first (see README.md).
 */
import type { NodeState, RoutingMode } from '../../model/state.ts';
import { cidrsOverlap, formatCidr, formatIp, parseCidr, parseIp } from '../../util/cidr.ts';
import type { Cidr } from '../../util/cidr.ts';
import { errorMessage } from '../../errors.ts';
import { VXLAN_DEV, VXLAN_PORT, VXLAN_VNI } from './types.ts';
import type { DesiredDatapath, Route, VxlanPeer, VxlanSpec } from './types.ts';

export interface DatapathInput {
  self: { name: string; ip: string; podCIDR: string };
  routingMode: RoutingMode;
  /** Every known node of every cluster; may include self and nodes without a PodCIDR yet. */
  nodes: readonly NodeState[];
  /** The node's underlay interface; default `eth0`. */
  underlayDev?: string;
}

/** `0e:57:` followed by the four octets of the IPv4 address in hex. */
export function vtepMac(ip: string): string {
  const n = parseIp(ip);
  const octets = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  return ['0e', '57', ...octets.map((o) => o.toString(16).padStart(2, '0'))].join(':');
}

interface RemoteNode {
  node: NodeState;
  cidr: Cidr;
  vtep: string;
}

function byClusterThenName(a: NodeState, b: NodeState): number {
  return a.cluster.localeCompare(b.cluster) || a.name.localeCompare(b.name);
}

/** Remote nodes with a usable PodCIDR, deterministic; conflicts become warnings. */
function remoteNodes(input: DatapathInput, warnings: string[]): RemoteNode[] {
  let selfCidr: Cidr | undefined;
  if (input.self.podCIDR !== '') {
    try {
      selfCidr = parseCidr(input.self.podCIDR);
    } catch (err) {
      warnings.push(`own podCIDR ignored: ${errorMessage(err)}`);
    }
  }
  const accepted: RemoteNode[] = [];
  const seenIps = new Set<string>();
  for (const node of [...input.nodes].sort(byClusterThenName)) {
    if (node.ip === input.self.ip || node.podCIDR === '') continue;
    const who = `node ${node.cluster}/${node.name}`;
    let cidr: Cidr;
    const vtep = node.vtep === '' ? node.ip : node.vtep;
    try {
      parseIp(node.ip);
      parseIp(vtep);
      cidr = parseCidr(node.podCIDR);
    } catch (err) {
      warnings.push(`${who} skipped: ${errorMessage(err)}`);
      continue;
    }
    if (seenIps.has(node.ip)) {
      warnings.push(`${who} skipped: node IP ${node.ip} is already used by another node`);
      continue;
    }
    if (selfCidr !== undefined && cidrsOverlap(cidr, selfCidr)) {
      warnings.push(`${who} skipped: podCIDR ${node.podCIDR} overlaps this node's podCIDR ${input.self.podCIDR}`);
      continue;
    }
    const clash = accepted.find((r) => cidrsOverlap(r.cidr, cidr));
    if (clash !== undefined) {
      warnings.push(`${who} skipped: podCIDR ${node.podCIDR} overlaps ${formatCidr(clash.cidr)} of node ${clash.node.cluster}/${clash.node.name}`);
      continue;
    }
    seenIps.add(node.ip);
    accepted.push({ node, cidr, vtep });
  }
  return accepted.sort((a, b) => a.cidr.base - b.cidr.base);
}

export function compileDatapath(input: DatapathInput): DesiredDatapath {
  const warnings: string[] = [];
  const underlayDev = input.underlayDev ?? 'eth0';
  const remotes = remoteNodes(input, warnings);
  switch (input.routingMode) {
    case 'native': {
      const routes: Route[] = remotes.map((r) => ({ dst: formatCidr(r.cidr), via: r.node.ip, dev: underlayDev, onlink: false }));
      return { routes, warnings };
    }
    case 'tunnel': {
      const routes: Route[] = [];
      const peers: VxlanPeer[] = [];
      for (const r of remotes) {
        const gatewayIp = formatIp(r.cidr.base);
        routes.push({ dst: formatCidr(r.cidr), via: gatewayIp, dev: VXLAN_DEV, onlink: true });
        peers.push({ nodeIp: r.vtep, mac: vtepMac(r.vtep), gatewayIp });
      }
      const vxlan: VxlanSpec = { dev: VXLAN_DEV, vni: VXLAN_VNI, port: VXLAN_PORT, localIp: input.self.ip, mac: vtepMac(input.self.ip), underlayDev, peers };
      return { routes, vxlan, warnings };
    }
  }
}
