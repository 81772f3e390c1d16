/**
 * `weft clustermesh connect | disconnect | status`.
 */
import type { Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectClusters, disconnectClusters } from '../clustermesh/connect.ts';
import { formatMeshStatus, meshStatusReport } from '../clustermesh/meshStatus.ts';
import type { MeshStatusReport } from '../clustermesh/meshStatus.ts';
import { readMeshFacts } from '../clustermesh/meshStatusRead.ts';
import { WeftError, ErrorCode } from '../errors.ts';
import { parseDuration } from '../util/duration.ts';
import { outputOption } from './config.ts';
import { resolveContext } from '../contexts/contexts.ts';
import { closeKv, contextOf, openKv } from './kv.ts';
import { requestTimeoutOf } from './requestTimeout.ts';
import { printJson } from './output.ts';
import { operatorMetricsOf, operatorUrlOf, type OperatorMetricsView } from '../observe/statusMetrics.ts';
import { scrapeMetrics } from '../observe/daemonProbe.ts';

/** The cluster's operator metrics (its /metrics on :9963 beside etcd); undefined without an address. */
async function readOperatorMetrics(etcdEndpoints: readonly string[]): Promise<OperatorMetricsView | undefined> {
  const url = operatorUrlOf(etcdEndpoints);
  return url === undefined ? undefined : operatorMetricsOf(url, await scrapeMetrics(`${url}/metrics`));
}

async function withBoth<T>(cmd: Command, destination: string, fn: (a: Parameters<typeof connectClusters>[0], b: Parameters<typeof connectClusters>[1]) => Promise<T>): Promise<T> {
  const ca = contextOf(cmd);
  const cb = resolveContext(destination);
  if (ca.name === cb.name) throw new WeftError(ErrorCode.InvalidInput, `--destination-context "${destination}" is the source context itself`);
  const a = { ctx: ca, kv: openKv(ca, requestTimeoutOf(cmd)) };
  const b = { ctx: cb, kv: openKv(cb, requestTimeoutOf(cmd)) };
  try {
    return await fn(a, b);
  } finally {
    await Promise.all([closeKv(a.kv), closeKv(b.kv)]);
  }
}

export function registerClusterMeshConnect(group: Command): void {
  group
    .command('connect')
    .description('connect this cluster with another, both directions (validates first; changes nothing on a violation)')
    .requiredOption('--destination-context <name>', 'the other cluster')
    .option('--allow-mismatching-ca', 'connect clusters whose CAs differ')
    .addOption(outputOption())
    .action(async (opts: { destinationContext: string; allowMismatchingCa?: boolean; output: string }, cmd: Command) => {
      const r = await withBoth(cmd, opts.destinationContext, (a, b) => connectClusters(a, b, { allowMismatchingCa: opts.allowMismatchingCa === true }));
      if (opts.output === 'json') printJson({ connected: [r.source, r.destination] });
      else process.stdout.write(`✅ Connected cluster ${r.source} <=> ${r.destination}\n   check it with: weft clustermesh status --context ${r.source} --wait\n`);
    });

  group
    .command('disconnect')
    .description('disconnect two clusters; each drops the other from its cache and datapath')
    .requiredOption('--destination-context <name>', 'the other cluster')
    .addOption(outputOption())
    .action(async (opts: { destinationContext: string; output: string }, cmd: Command) => {
      const r = await withBoth(cmd, opts.destinationContext, (a, b) => disconnectClusters(a, b));
      if (opts.output === 'json') printJson(r);
      else process.stdout.write(r.removed > 0 ? `✅ Disconnected ${contextOf(cmd).cluster} <=> ${resolveContext(opts.destinationContext).cluster}\n` : 'ℹ️  The clusters were not connected\n');
    });

  group
    .command('status')
    .description("mesh health, shaped like `cilium clustermesh status`; per connection also what the operator's metrics say (connected, ready, last sync, failures: its /metrics on :9963)")
    .option('--wait', 'wait until every connection is ready')
    .option('--wait-duration <duration>', 'how long --wait waits (e.g. 90s, 2m)', '2m')
    .addOption(outputOption())
    .action(async (opts: { wait?: boolean; waitDuration: string; output: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const deadline = Date.now() + parseDuration(opts.waitDuration);
      const kv = openKv(ctx, requestTimeoutOf(cmd));
      let report: MeshStatusReport;
      try {
        for (;;) {
          report = meshStatusReport(await readMeshFacts(kv, ctx));
          if (opts.wait !== true || report.ok || Date.now() > deadline) break;
          await sleep(500);
        }
      } finally {
        await closeKv(kv);
      }
      const operator = await readOperatorMetrics(ctx.endpoints);
      if (opts.output === 'json') printJson({ ...report, operatorMetrics: operator ?? null });
      else process.stdout.write(`${formatMeshStatus(report, { operator, nowMs: Date.now() })}\n`);
      if (!report.ok) process.exitCode = 1;
    });
}

