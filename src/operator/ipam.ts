/**
 * Node IPAM (pure): carve ClusterConfig.podCIDRs into /nodeCidrMaskSize
 * blocks and decide which node gets which. A node keeps its block: the
 * allocation records (keys.nodeCidrAllocation) are rebuilt from the nodes'
 * podCIDRs, a node that registers again with an empty podCIDR gets its
 * recorded block back, and a block is released only once its node is gone.
 */
import { formatCidr, parseCidr, subnetAt, subnetCount } from '../util/cidr.ts';
import { errorMessage } from '../errors.ts';
import type { ClusterConfig, NodeState } from '../model/state.ts';

export type IpamAction =
  /** Set the node's podCIDR (it is '') and record the allocation. */
  | { readonly type: 'assignPodCidr'; readonly node: string; readonly cidr: string }
  /** The node already uses cidr but no allocation records it (restart, agent-kept podCIDR). */
  | { readonly type: 'recordPodCidr'; readonly node: string; readonly cidr: string }
  /** The node holding cidr is gone (or now uses another block): free it. */
  | { readonly type: 'releasePodCidr'; readonly node: string; readonly cidr: string };

export interface IpamInput {
  readonly config: Pick<ClusterConfig, 'podCIDRs' | 'nodeCidrMaskSize'>;
  readonly nodes: readonly NodeState[];
  /** block → node */
  readonly allocations: ReadonlyMap<string, string>;
}

export interface IpamPlan {
  readonly actions: IpamAction[];
  /** Things an operator should see in the log (pool exhausted, two nodes on one block, bad config). */
  readonly problems: string[];
}

/** Every /maskSize block of the pools, in order. */
function* blocks(podCIDRs: readonly string[], maskSize: number, problems: string[]): Generator<string> {
  for (const pool of podCIDRs) {
    let c;
    try {
      c = parseCidr(pool);
    } catch (err) {
      problems.push(`cluster config podCIDR ${pool} is invalid: ${errorMessage(err)}`);
      continue;
    }
    const n = subnetCount(c, maskSize);
    if (n === 0) problems.push(`cluster config podCIDR ${pool} is smaller than a node block (/${maskSize})`);
    for (let i = 0; i < n; i++) yield formatCidr(subnetAt(c, maskSize, i));
  }
}

export function planIpam(input: IpamInput): IpamPlan {
  const actions: IpamAction[] = [];
  const problems: string[] = [];
  const nodes = new Map(input.nodes.map((n) => [n.name, n]));
  const used = new Set<string>();
  const stickyFor = new Map<string, string>(); // node → its recorded block

  for (const [cidr, owner] of input.allocations) {
    used.add(cidr); // a block released now is not handed out in the same pass
    const node = nodes.get(owner);
    if (node === undefined || (node.podCIDR !== '' && node.podCIDR !== cidr)) {
      actions.push({ type: 'releasePodCidr', node: owner, cidr });
    } else if (node.podCIDR === '') {
      stickyFor.set(owner, cidr);
    }
  }

  for (const node of input.nodes) {
    if (node.podCIDR === '') continue;
    used.add(node.podCIDR);
    const owner = input.allocations.get(node.podCIDR);
    if (owner === undefined) actions.push({ type: 'recordPodCidr', node: node.name, cidr: node.podCIDR });
    else if (owner !== node.name) problems.push(`node ${node.name} uses podCIDR ${node.podCIDR}, which is allocated to node ${owner}`);
  }

  const waiting = input.nodes.filter((n) => n.podCIDR === '').sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let free: Iterator<string> | undefined;
  for (const node of waiting) {
    const sticky = stickyFor.get(node.name);
    if (sticky !== undefined) {
      actions.push({ type: 'assignPodCidr', node: node.name, cidr: sticky });
      continue;
    }
    free ??= blocks(input.config.podCIDRs, input.config.nodeCidrMaskSize, problems);
    let next = free.next();
    while (!next.done && used.has(next.value)) next = free.next();
    if (next.done) {
      problems.push(`no free /${input.config.nodeCidrMaskSize} block left in podCIDRs ${input.config.podCIDRs.join(', ')} for node ${node.name}`);
      continue;
    }
    used.add(next.value);
    actions.push({ type: 'assignPodCidr', node: node.name, cidr: next.value });
  }
  return { actions, problems };
}
