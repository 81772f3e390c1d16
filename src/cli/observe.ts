/**
 * `weft observe`: the flows every agent of the cluster (or, with
 * `--all-clusters`, of the mesh) recorded, like `hubble observe`. Each agent
 * serves its own ring (GET /v1/flows on :9962); `--follow` polls every
 * second with since=<the last seq seen per agent> until Ctrl-C or
 * `--duration`. An agent that does not answer is a warning, not a failure
 * (unless none answers).
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode, WeftError } from '../errors.ts';
import type { Flow } from '../model/flow.ts';
import { fetchFlows, flowTargets } from '../observe/flowClient.ts';
import type { FlowFetch } from '../observe/flowClient.ts';
import { closeKv, contextOf, openKv } from './kv.ts';
import { requestTimeoutOf } from './requestTimeout.ts';
import { printColumns } from './output.ts';
import { compactLine, FLOW_TABLE_HEADER, parseFlowFilter, selectFlows, tableRow } from './observeFlows.ts';
import type { FlowFilterFlags } from './observeFlows.ts';

type Output = 'compact' | 'json' | 'table';

interface ObserveOptions extends FlowFilterFlags {
  follow?: boolean;
  last?: string;
  allClusters?: boolean;
  output: Output;
  duration?: string;
}

const DEFAULT_LAST = 20;

function positive(flag: string, value: string, integer: boolean): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new WeftError(ErrorCode.InvalidInput, `${flag} must be a positive ${integer ? 'integer' : 'number of seconds'}, got "${value}"`);
  return n;
}

function warnUnanswered(got: FlowFetch, warned: Set<string>): void {
  for (const e of got.errors) {
    if (warned.has(e.error)) continue;
    warned.add(e.error);
    process.stderr.write(`warning: ${e.error}\n`);
  }
}

function print(flows: readonly Flow[], output: Output): void {
  if (output === 'table') {
    if (flows.length > 0) printColumns(FLOW_TABLE_HEADER, flows.map(tableRow));
    return;
  }
  for (const f of flows) process.stdout.write(`${output === 'json' ? JSON.stringify(f) : compactLine(f)}\n`);
}

export function registerObserve(program: Command): void {
  program
    .command('observe')
    .description("show the flows the cluster's agents recorded (like `hubble observe`)")
    .option('-f, --follow', 'keep printing new flows (until Ctrl-C or --duration)')
    .option('--last <n>', `the newest N matching flows (default ${DEFAULT_LAST}; with --follow: none of the past unless given)`)
    .option('--from-pod <[ns/]pod>', 'flows from this pod (a name prefix before "-" matches, as hubble)')
    .option('--to-pod <[ns/]pod>', 'flows to this pod')
    .option('-n, --namespace <ns>', 'flows with either side (or the service) in this namespace')
    .option('--cluster <name>', 'flows with either side in this cluster')
    .option('--verdict <verdict>', 'FORWARDED, DROPPED or REJECTED')
    .option('--port <port>', 'flows with this port on either side (or the service)')
    .option('-A, --all-clusters', 'ask the agents of every connected cluster too')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['compact', 'json', 'table']).default('compact'))
    .option('--duration <seconds>', 'with --follow: stop after this many seconds')
    .action(async (opts: ObserveOptions, cmd: Command) => {
      const filter = parseFlowFilter(opts);
      const last = opts.last === undefined ? (opts.follow === true ? 0 : DEFAULT_LAST) : positive('--last', opts.last, true);
      const deadline = opts.duration === undefined ? Infinity : Date.now() + positive('--duration', opts.duration, false) * 1000;
      const ctx = contextOf(cmd);
      const kv = openKv(ctx, requestTimeoutOf(cmd));
      const targets = await flowTargets(kv, ctx.cluster, { allClusters: opts.allClusters === true }).finally(() => closeKv(kv));
      if (targets.length === 0) throw new WeftError(ErrorCode.NotFound, `cluster "${ctx.cluster}" has no nodes to ask for flows`);
      const warned = new Set<string>();
      const first = await fetchFlows(targets);
      warnUnanswered(first, warned);
      if (first.answers.length === 0) throw new WeftError(ErrorCode.Timeout, `no agent of ${targets.length} answered for flows (${targets.map((t) => t.url).join(', ')})`);
      print(selectFlows(first.flows, filter, last), opts.output);
      if (opts.follow !== true) return;
      let stop = false;
      const onSigint = (): void => void (stop = true);
      process.once('SIGINT', onSigint);
      let cursor = first.cursor;
      try {
        while (!stop && Date.now() + 1000 <= deadline) {
          await sleep(1000);
          const got = await fetchFlows(targets, { since: cursor });
          warnUnanswered(got, warned);
          cursor = got.cursor;
          print(selectFlows(got.flows, filter, undefined), opts.output);
        }
      } finally {
        process.removeListener('SIGINT', onSigint);
      }
    });
}
