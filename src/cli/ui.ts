/**
 * `weft ui`: the service map, like `cilium hubble ui` — a web page on
 * 127.0.0.1:12000 showing the clusters of the mesh and their nodes, the
 * services with their backends per cluster, the flows between workloads
 * (from the agents, `GET /v1/flows`) and the clustermesh status. Runs until
 * interrupted.
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { fetchFlows, flowTargets } from '../observe/flowClient.ts';
import { createLogger } from '../util/log.ts';
import { readMesh } from '../ui/meshRead.ts';
import { flowsView } from '../ui/flowsView.ts';
import { startUiServer, UI_DEFAULT_PORT } from '../ui/server.ts';
import type { UiSources } from '../ui/server.ts';
import type { KvBackend } from '../kvstore/backend.ts';
import type { Context } from '../contexts/contexts.ts';
import { closeKv, contextOf, openKv } from './kv.ts';
import { requestTimeoutOf } from './requestTimeout.ts';

function portOf(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`port ${JSON.stringify(value)} is not a number 0-65535`);
  return n;
}

/** The UI's data from the context's etcd and its agents (with allClusters, every cluster's agents). */
export function liveSources(kv: KvBackend, ctx: Context, allClusters: boolean, warn: (msg: string) => void): UiSources {
  return {
    mesh: () => readMesh(kv, ctx, warn),
    flows: async (last) => {
      const targets = await flowTargets(kv, ctx.cluster, { allClusters });
      const got = await fetchFlows(targets, { last });
      return flowsView(got.flows, { asked: targets.length, answered: got.answers.length }, got.errors.map((e) => e.error), new Date().toISOString());
    },
  };
}

export function registerUi(program: Command): void {
  program
    .command('ui')
    .description('serve the service map (clusters, nodes, services, flows between workloads, clustermesh status) as a web page, like `cilium hubble ui`')
    .option('--address <ip>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', portOf, UI_DEFAULT_PORT)
    .option('--all-clusters', "flows from the agents of every connected cluster, not only the context's", false)
    .action(async (opts: { address: string; port: number; allClusters: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const logger = createLogger({ component: 'ui', cluster: ctx.cluster });
      const kv = openKv(ctx, requestTimeoutOf(cmd));
      const warnings = new Set<string>();
      const warn = (msg: string): void => {
        if (warnings.has(msg) || warnings.size >= 100) return;
        warnings.add(msg);
        process.stderr.write(`warning: ${msg}\n`);
      };
      try {
        const http = await startUiServer({ address: opts.address, port: opts.port, sources: liveSources(kv, ctx, opts.allClusters, warn), logger });
        process.stdout.write(`ℹ️  Weft UI for cluster ${ctx.cluster}${opts.allClusters ? ' (flows of all clusters)' : ''} is available at http://${opts.address}:${http.port}\n`);
        await new Promise<void>((resolve) => {
          process.once('SIGTERM', resolve);
          process.once('SIGINT', resolve);
        });
        await http.close();
      } finally {
        await closeKv(kv);
      }
    });
}
