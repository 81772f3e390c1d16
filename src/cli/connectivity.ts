/**
 * `weft connectivity test [--context c1] [--multi-cluster c2] [--test REGEX]
 * [--output json]`, like `cilium connectivity test`: deploys client and echo
 * pods in a test namespace, runs named checks, prints ✅/❌ per check and a
 * summary, exits 1 when a check failed, and always removes what it deployed
 * (Ctrl-C included: the first interrupt stops the checks and cleans up).
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { WeftError, ErrorCode } from '../errors.ts';
import { runConnectivityTest } from '../connectivity/run.ts';
import type { ClusterHandle } from '../connectivity/deploy.ts';
import { DEFAULT_TEST_NAMESPACE } from '../connectivity/manifests.ts';
import { netnsRunner } from '../connectivity/probe.ts';
import { jsonReport, summarize, summaryLine } from '../connectivity/report.ts';
import { CHECKS } from '../connectivity/catalogue.ts';
import { resolveContext } from '../contexts/contexts.ts';
import { closeKv, contextOf, openKv } from './kv.ts';
import { requestTimeoutOf } from './requestTimeout.ts';
import { printJson } from './output.ts';

interface TestOptions {
  multiCluster?: string;
  test: string[];
  output: 'text' | 'json';
  namespace: string;
  timeout: string;
}

function openCluster(contextName: string, requestTimeoutMs: number): ClusterHandle {
  const ctx = resolveContext(contextName);
  return { context: ctx.name, cluster: ctx.cluster, kv: openKv(ctx, requestTimeoutMs) };
}

export async function connectivityTest(opts: TestOptions, cmd: Command): Promise<void> {
  const patienceSec = Number(opts.timeout);
  if (!Number.isFinite(patienceSec) || patienceSec <= 0) throw new WeftError(ErrorCode.InvalidInput, `--check-timeout ${opts.timeout} is not a positive number of seconds`);
  const json = opts.output === 'json';
  // With --output json, stdout carries only the JSON document; progress goes to stderr.
  const progress = (line: string): void => void (json ? process.stderr : process.stdout).write(`${line}\n`);
  const ctx = contextOf(cmd);
  const local: ClusterHandle = { context: ctx.name, cluster: ctx.cluster, kv: openKv(ctx, requestTimeoutOf(cmd)) };
  const aborter = new AbortController();
  const onSigint = (): void => {
    if (aborter.signal.aborted) process.exit(130);
    progress('⚠️  Interrupted: stopping the checks and removing what the test deployed (Ctrl-C again to quit at once)');
    aborter.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  let remote: ClusterHandle | undefined;
  try {
    remote = opts.multiCluster === undefined ? undefined : openCluster(opts.multiCluster, requestTimeoutOf(cmd));
    progress(`ℹ️  Connectivity test in cluster ${local.cluster}${remote === undefined ? '' : ` and ${remote.cluster}`}, namespace ${opts.namespace}`);
    let results;
    try {
      results = await runConnectivityTest({ local, remote, namespace: opts.namespace, patterns: opts.test, run: netnsRunner(), progress, signal: aborter.signal, patienceMs: patienceSec * 1000 });
    } catch (err) {
      if (!aborter.signal.aborted) throw err;
    }
    if (results === undefined || aborter.signal.aborted) {
      progress('⚠️  Interrupted: the test stopped and what it deployed was removed');
      process.exitCode = 130;
      return;
    }
    progress('');
    progress(`📋 ${summaryLine(results)}`);
    if (json) printJson(jsonReport({ context: local.context, multiCluster: remote?.context, namespace: opts.namespace }, results));
    if (summarize(results).failed > 0) process.exitCode = 1;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    await Promise.all([closeKv(local.kv), remote === undefined ? undefined : closeKv(remote.kv)]);
  }
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

export function registerConnectivity(program: Command): void {
  const connectivity = program.command('connectivity').description('connectivity troubleshooting');
  connectivity
    .command('test')
    .description(`deploy test pods and check pod-to-pod, services, DNS, policy and failover (checks: ${CHECKS.map((c) => c.name).join(', ')})`)
    .option('--context <name>', 'cluster context to use (same as the global --context)')
    .option('--multi-cluster <context>', 'second cluster (connected with `weft clustermesh connect`) for the cross-cluster checks')
    .option('--test <regex>', 'run only the checks matching REGEX; !REGEX skips those matching (repeatable)', collect, [])
    .option('--test-namespace <ns>', 'namespace the test deploys into (deleted afterwards)', DEFAULT_TEST_NAMESPACE)
    .option('--check-timeout <seconds>', 'how long a check retries before it fails', '20')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (opts: Omit<TestOptions, 'namespace' | 'timeout'> & { testNamespace: string; checkTimeout: string }, cmd: Command) => {
      await connectivityTest({ ...opts, namespace: opts.testNamespace, timeout: opts.checkTimeout }, cmd);
    });
}
