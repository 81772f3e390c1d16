/**
 * `weft node list`: every node the cluster knows, as cluster/node, like
 * `cilium node list` (seed 003).
 */
import type { Command } from 'commander';
import { NodeState } from '../model/state.ts';
import type { KvBackend } from '../kvstore/backend.ts';
import { keys } from '../kvstore/keys.ts';
import { connectedRemotes, meshSources } from '../model/meshView.ts';
import { tryParseJson } from '../kvstore/json.ts';
import { outputOption } from './config.ts';
import { withKv } from './kv.ts';
import { printColumns, printJson } from './output.ts';

/** The cluster's own nodes and the cached nodes of every connected cluster (model/meshView.ts). */
export async function listNodes(kv: KvBackend, cluster: string): Promise<NodeState[]> {
  const sources = meshSources(cluster, await connectedRemotes(kv, cluster), (c) => keys.nodesPrefix(c));
  const lists = await Promise.all(sources.map((s) => kv.list(s.prefix)));
  const nodes: NodeState[] = [];
  for (const e of lists.flatMap((l) => l.entries)) {
    const node = tryParseJson(NodeState, e.value);
    if (node !== undefined) nodes.push(node);
    else process.stderr.write(`warning: skipping invalid node value at ${e.key}\n`);
  }
  return nodes.sort((a, b) => `${a.cluster}/${a.name}`.localeCompare(`${b.cluster}/${b.name}`));
}

export function nodeRows(nodes: readonly NodeState[]): string[][] {
  return nodes.map((n) => [`${n.cluster}/${n.name}`, n.ip, n.podCIDR === '' ? '<pending>' : n.podCIDR, n.ready ? 'yes' : 'no']);
}

export function registerNode(program: Command): void {
  const node = program.command('node').description('nodes of the cluster');
  node
    .command('list')
    .description('list nodes as cluster/node with their IP and PodCIDR')
    .addOption(outputOption())
    .action(async (opts: { output: string }, cmd: Command) => {
      await withKv(cmd, async (kv, ctx) => {
        const nodes = await listNodes(kv, ctx.cluster);
        if (opts.output === 'json') printJson(nodes);
        else printColumns(['Name', 'IPv4 Address', 'Endpoint CIDR', 'Ready'], nodeRows(nodes));
      });
    });
}
