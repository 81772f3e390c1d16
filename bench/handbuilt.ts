/**
 * A two-node topology out of network namespaces, the way the lab and the CNI
 * build it, with the cross-node path made either by Weft (compile + apply,
 * plus its nft table) or by hand with plain `ip`/`bridge` commands (the
 * baseline). Used by bench/throughput.ts and the datapath integration tests.
 *
 *   underlay netns <prefix>ul: bridge br0 ── veth ── node netns <prefix>n<i> (eth0 172.30.0.1<i>/24)
 *   node <i>: pod netns <prefix>p<i>, eth0 10.244.<i>.10/32, default via 169.254.1.1 (the host veth)
 */
import { exec } from '../src/util/exec.ts';
import { planWiring } from '../src/cni/veth.ts';
import type { NodeState, RoutingMode } from '../src/model/state.ts';
import { compileDatapath } from '../src/datapath/routes/compile.ts';
import { KernelDatapathApplier } from '../src/datapath/routes/apply.ts';
import { netnsNetTools } from '../src/datapath/netTools.ts';
import { applyNftTable } from '../src/datapath/nft/nft.ts';
import { compileNftTable } from '../src/datapath/nft/nftTable.ts';
import type { SyncReport } from '../src/datapath/routes/types.ts';

export interface TopoNode {
  name: string;
  netns: string;
  ip: string;
  podCIDR: string;
}
export interface TopoPod {
  netns: string;
  ip: string;
  node: TopoNode;
  /** Host side of the pod's veth, in the node netns. */
  hostVeth: string;
}
export interface BaseTopology {
  nodes: TopoNode[];
  pods: TopoPod[];
  cleanup(): Promise<void>;
}
export interface Topology extends BaseTopology {
  mode: RoutingMode;
  weft: boolean;
  podA: TopoPod;
  podB: TopoPod;
}

const ip = (args: string[], input?: string): Promise<string> => exec('ip', args, input === undefined ? {} : { input });
const batch = (netns: string, lines: string[]): Promise<string> => ip(['-n', netns, '-batch', '-'], `${lines.join('\n')}\n`);

async function addNetns(name: string, forwarding: boolean): Promise<void> {
  await ip(['netns', 'add', name]);
  await ip(['-n', name, 'link', 'set', 'lo', 'up']);
  if (forwarding) {
    const keys = ['net.ipv4.ip_forward=1', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0'];
    await exec('ip', ['netns', 'exec', name, 'sysctl', '-qw', ...keys]);
  }
}

/** Pod veth as the CNI plugin wires it (src/cni/veth.ts), or the same by hand. */
async function wirePod(pod: TopoPod, viaCni: boolean): Promise<void> {
  if (viaCni) {
    const plan = planWiring({ containerId: pod.netns, ifName: 'eth0', netns: `/run/netns/${pod.netns}`, ip: pod.ip });
    await ip(['-n', pod.node.netns, '-batch', '-'], plan.hostBatch);
    await ip(['-n', pod.netns, '-batch', '-'], plan.podBatch);
    pod.hostVeth = plan.hostVeth;
    return;
  }
  const veth = `veth-${pod.netns.slice(-6)}`.slice(0, 15);
  pod.hostVeth = veth;
  await batch(pod.node.netns, [
    `link add ${veth} type veth peer name eth0 netns ${pod.netns}`,
    `addr add 169.254.1.1/32 dev ${veth}`,
    `link set ${veth} up`,
    `route add ${pod.ip}/32 dev ${veth}`,
  ]);
  await batch(pod.netns, [`addr add ${pod.ip}/32 dev eth0`, 'link set eth0 up', 'route add default via 169.254.1.1 dev eth0 onlink']);
}

/** Underlay, `nodeCount` nodes and one pod per node; no cross-node routes yet. */
export async function buildBase(opts: { prefix: string; nodeCount?: number; cniWiring?: boolean }): Promise<BaseTopology> {
  const created: string[] = [];
  const cleanup = async (): Promise<void> => {
    for (const ns of created.splice(0).reverse()) await exec('ip', ['netns', 'del', ns], { okCodes: [0, 1] });
  };
  const nodes: TopoNode[] = [];
  const pods: TopoPod[] = [];
  try {
    const ul = `${opts.prefix}ul`;
    await addNetns(ul, false);
    created.push(ul);
    await batch(ul, ['link add br0 type bridge', 'link set br0 up']);
    for (let i = 1; i <= (opts.nodeCount ?? 2); i++) {
      const node: TopoNode = { name: `node${i}`, netns: `${opts.prefix}n${i}`, ip: `172.30.0.${10 + i}`, podCIDR: `10.244.${i}.0/24` };
      await addNetns(node.netns, true);
      created.push(node.netns);
      await batch(ul, [`link add ul${i} type veth peer name eth0 netns ${node.netns}`, `link set ul${i} master br0`, `link set ul${i} up`]);
      await batch(node.netns, [`addr add ${node.ip}/24 dev eth0`, 'link set eth0 up']);
      const pod: TopoPod = { netns: `${opts.prefix}p${i}`, ip: `10.244.${i}.10`, node, hostVeth: '' };
      await addNetns(pod.netns, false);
      created.push(pod.netns);
      await wirePod(pod, opts.cniWiring ?? false);
      nodes.push(node);
      pods.push(pod);
    }
  } catch (err) {
    await cleanup();
    throw err;
  }
  return { nodes, pods, cleanup };
}

export function nodeStates(nodes: readonly TopoNode[]): NodeState[] {
  return nodes.map((n) => ({ name: n.name, cluster: 'bench', clusterId: 1, ip: n.ip, podCIDR: n.podCIDR, vtep: '', bootId: '', ready: true }));
}

/** Weft's path on every node of `members` (default: all): compile, then one applier sync per node. */
export async function syncWeft(
  topo: BaseTopology,
  mode: RoutingMode,
  appliers: Map<string, KernelDatapathApplier>,
  members: readonly TopoNode[] = topo.nodes,
): Promise<Map<string, SyncReport>> {
  const reports = new Map<string, SyncReport>();
  for (const node of members) {
    let applier = appliers.get(node.name);
    if (applier === undefined) {
      applier = new KernelDatapathApplier({ tools: netnsNetTools(node.netns) });
      appliers.set(node.name, applier);
    }
    const desired = compileDatapath({ self: node, routingMode: mode, nodes: nodeStates(members) });
    reports.set(node.name, await applier.sync(desired));
  }
  return reports;
}

function handMac(addr: string): string {
  return `0e:57:${addr.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).join(':')}`;
}

/** The baseline: the same path with plain commands, as an operator would type them (flannel-style for VXLAN). */
export async function handbuildRoutes(topo: BaseTopology, mode: RoutingMode): Promise<void> {
  for (const node of topo.nodes) {
    const peers = topo.nodes.filter((n) => n !== node);
    if (mode === 'native') {
      for (const p of peers) await ip(['-n', node.netns, 'route', 'add', p.podCIDR, 'via', p.ip, 'dev', 'eth0']);
      continue;
    }
    await ip(['-n', node.netns, 'link', 'add', 'vxlan0', 'type', 'vxlan', 'id', '1', 'local', node.ip, 'dstport', '8472', 'nolearning', 'dev', 'eth0']);
    await ip(['-n', node.netns, 'link', 'set', 'vxlan0', 'address', handMac(node.ip), 'up']);
    for (const p of peers) {
      const gw = p.podCIDR.replace(/\/\d+$/, '');
      await ip(['-n', node.netns, 'neigh', 'add', gw, 'lladdr', handMac(p.ip), 'dev', 'vxlan0', 'nud', 'permanent']);
      await exec('bridge', ['-n', node.netns, 'fdb', 'append', handMac(p.ip), 'dev', 'vxlan0', 'dst', p.ip, 'self', 'permanent']);
      await ip(['-n', node.netns, 'route', 'add', p.podCIDR, 'via', gw, 'dev', 'vxlan0', 'onlink']);
    }
  }
}

/** Two nodes, a pod on each, cross-node path by Weft (routes + its nft table, CNI wiring) or by hand. */
export async function buildTopology(opts: { mode: RoutingMode; weft: boolean; prefix?: string }): Promise<Topology> {
  const base = await buildBase({ prefix: opts.prefix ?? 'wf-bench-', cniWiring: opts.weft });
  try {
    if (opts.weft) {
      await syncWeft(base, opts.mode, new Map());
      for (const n of base.nodes) await applyNftTable(compileNftTable(), netnsNetTools(n.netns));
    } else {
      await handbuildRoutes(base, opts.mode);
    }
  } catch (err) {
    await base.cleanup();
    throw err;
  }
  const [podA, podB] = base.pods;
  if (podA === undefined || podB === undefined) throw new Error('topology has fewer than two pods');
  return { ...base, mode: opts.mode, weft: opts.weft, podA, podB };
}
