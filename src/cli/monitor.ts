/**
 * `weft monitor --type drop`: streams the flows denied by policy on every
 * node of the context's lab cluster, like `cilium monitor --type drop`. Polls
 * each node's drop records (`nft -j list set inet weft pol-drops-*-flows`, run
 * in the node's network namespace) and prints each new or grown record as one
 * line (or one JSON object per line), its IPs resolved through the endpoints
 * and nodes of the cluster and of its mesh cache.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { WeftError, ErrorCode } from '../errors.ts';
import type { KvBackend } from '../kvstore/backend.ts';
import { exec } from '../util/exec.ts';
import { findCluster, readLabState } from '../lab/state.ts';
import type { NetTools } from '../datapath/netTools.ts';
import { readPolicyDrops } from '../datapath/policy/policyDrops.ts';
import { dropEvent, formatDropLine, newDrops } from './monitorDrops.ts';
import type { DropEvent, IpOwner } from './monitorDrops.ts';
import { loadEndpoints } from './endpoint.ts';
import { closeKv, contextOf, openKv } from './kv.ts';
import { requestTimeoutOf } from './requestTimeout.ts';
import { listNodes } from './node.ts';

/** Tools running `nft` in a lab node's network namespace (nsenter, as the lab starts its processes). */
export function nodeNftTools(netns: string): NetTools {
  return { run: (tool, args, input) => exec('nsenter', [`--net=/run/netns/${netns}`, '--', tool, ...args], input === undefined ? {} : { input }) };
}

/** IP → owner for the endpoints and nodes of `cluster` and of every connected remote (its mesh cache). */
export async function loadIpOwners(kv: KvBackend, cluster: string): Promise<Map<string, IpOwner>> {
  const out = new Map<string, IpOwner>();
  for (const n of await listNodes(kv, cluster)) if (n.ip !== '') out.set(n.ip, { name: `node/${n.name}`, cluster: n.cluster, identity: 0 });
  for (const r of await loadEndpoints(kv, cluster, { allClusters: true }, () => undefined)) {
    if (r.endpoint.ip !== '') out.set(r.endpoint.ip, { name: `${r.namespace}/${r.pod}`, cluster: r.cluster, identity: r.endpoint.identity });
  }
  return out;
}

interface MonitorOptions {
  type: string;
  output: 'text' | 'json';
  duration?: string;
  once?: boolean;
  interval: string;
}

function positive(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new WeftError(ErrorCode.InvalidInput, `${name} must be a positive number of seconds, got "${value}"`);
  return n;
}

export function registerMonitor(program: Command): void {
  program
    .command('monitor')
    .description("stream the flows denied by network policy on the cluster's nodes (lab clusters)")
    .addOption(new Option('-t, --type <type>', 'event type').choices(['drop']).default('drop'))
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--duration <seconds>', 'stop after this many seconds (default: until Ctrl-C)')
    .option('--once', 'print the drops recorded now, then exit')
    .option('--interval <seconds>', 'poll interval', '1')
    .action(async (opts: MonitorOptions, cmd: Command) => {
      const ctx = contextOf(cmd);
      const cluster = findCluster(readLabState(), ctx.cluster);
      if (cluster === undefined) throw new WeftError(ErrorCode.NotFound, `cluster "${ctx.cluster}" of context "${ctx.name}" is not a lab cluster on this machine (see \`weft lab status\`)`);
      const nodes = cluster.hosts.filter((h) => h.role === 'node');
      const intervalMs = positive('--interval', opts.interval) * 1000;
      const deadline = opts.duration === undefined ? Infinity : Date.now() + positive('--duration', opts.duration) * 1000;
      const seen = new Map<string, number>();
      let stop = false;
      const onSigint = (): void => void (stop = true);
      process.once('SIGINT', onSigint);
      const kv = openKv(ctx, requestTimeoutOf(cmd));
      try {
        let first = true;
        while (!stop) {
          const time = new Date().toISOString();
          const found: { node: string; flow: Parameters<typeof dropEvent>[2]; packets: number }[] = [];
          for (const n of nodes) {
            const drops = await readPolicyDrops(nodeNftTools(n.netns)).catch((err: unknown) => {
              throw new WeftError(ErrorCode.CommandFailed, `cannot read the drop records of node ${n.name} (netns ${n.netns})`, { cause: err });
            });
            for (const d of newDrops(seen, n.name, drops.flows)) found.push({ node: n.name, ...d });
          }
          // Streaming starts from now: what was recorded before is the baseline (--once prints it).
          if (found.length > 0 && (opts.once === true || !first)) {
            const owners = await loadIpOwners(kv, ctx.cluster);
            for (const f of found) print(dropEvent(time, f.node, f.flow, f.packets, owners), opts.output);
          }
          first = false;
          if (opts.once === true || Date.now() + intervalMs > deadline) break;
          await new Promise((r) => setTimeout(r, intervalMs));
        }
      } finally {
        process.removeListener('SIGINT', onSigint);
        await closeKv(kv);
      }
    });
}

function print(e: DropEvent, output: 'text' | 'json'): void {
  process.stdout.write(`${output === 'json' ? JSON.stringify(e) : formatDropLine(e)}\n`);
}
