/**
 * `weft lab up | status | down | process`: clusters made of network
 * namespaces on this machine, the way kind makes them of containers.
 */
import { Option } from 'commander';
import type { Command } from 'commander';
import { WeftError, ErrorCode } from '../errors.ts';
import { createEtcdKv } from '../kvstore/etcd.ts';
import { CLI_ENTRY, NODE_BIN } from '../util/paths.ts';
import { labDown } from '../lab/down.ts';
import { formatLabStatus } from '../lab/format.ts';
import { LAB_PROCESS_NAMES } from '../lab/plan.ts';
import type { LabProcessName, PlanEnv } from '../lab/plan.ts';
import { controlProcess } from '../lab/processControl.ts';
import type { ProcessAction } from '../lab/processControl.ts';
import { streamProgress } from '../lab/progress.ts';
import type { Progress } from '../lab/progress.ts';
import { labDir } from '../lab/state.ts';
import { labStatusWithHealth } from '../lab/health.ts';
import { labUp, usageLines } from '../lab/up.ts';
import { parseClusterSpec } from '../lab/validate.ts';
import { outputOption } from './config.ts';
import { resolveKubeBins } from '../kube/bins.ts';
import { pkiRoot } from '../pki/files.ts';

export const ETCD_BIN = '/usr/bin/etcd';

/** kubernetes: resolve the control-plane binaries (a clear error naming scripts/kube-bins.sh when they are missing). */
export function labPlanEnv(kubernetes = false): PlanEnv {
  return {
    labDir: labDir(),
    nodeBin: NODE_BIN,
    cliEntry: CLI_ENTRY,
    etcdBin: ETCD_BIN,
    ...(kubernetes ? { kube: { bins: resolveKubeBins(), pkiRoot: pkiRoot() } } : {}),
  };
}

function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Progress on stdout for humans; on stderr when stdout carries JSON. */
function progressFor(output: string): Progress {
  return streamProgress(output === 'json' ? process.stderr : process.stdout);
}

interface UpOptions {
  name?: string;
  id?: string;
  nodes?: string;
  podCidr?: string;
  serviceCidr?: string;
  routing?: string;
  nodeCidrMask?: string;
  policyDefaultLocalCluster?: string;
  kubernetes?: boolean;
  wait: boolean;
  waitTimeout: string;
  output: string;
}

function parseSeconds(flag: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 3600) {
    throw new WeftError(ErrorCode.InvalidInput, `--${flag} "${text}" is not a number of seconds 1-3600`);
  }
  return Number(text) * 1000;
}

function registerUp(lab: Command): void {
  lab
    .command('up')
    .description('create a lab cluster: a control-plane host (etcd + operator) and N node hosts (agent)')
    .option('--name <name>', 'cluster name (1-32 characters [a-z0-9-])')
    .option('--id <id>', 'cluster id 1-255, unique in the mesh')
    .option('--nodes <n>', 'number of node hosts', '1')
    .option('--pod-cidr <cidr>', 'pod CIDR(s), comma-separated, e.g. 10.1.0.0/16')
    .option('--service-cidr <cidr>', 'service CIDR, e.g. 10.101.0.0/16')
    .addOption(new Option('--routing <mode>', 'pod-to-pod across nodes').choices(['native', 'tunnel']).default('tunnel'))
    .option('--node-cidr-mask <bits>', "prefix length of each node's PodCIDR", '24')
    .option('--policy-default-local-cluster <bool>', 'true (default): a policy peer selector without io.cilium.k8s.policy.cluster matches only this cluster; false: every cluster')
    .option('--kubernetes', 'also run a Kubernetes control plane (kube-apiserver, controller manager, scheduler) as the source of truth; kubeconfig context named after the cluster')
    .option('--no-wait', 'do not wait for the nodes to be ready')
    .option('--wait-timeout <seconds>', 'how long to wait for the nodes to be ready', '60')
    .addOption(outputOption())
    .action(async (opts: UpOptions) => {
      const spec = parseClusterSpec(opts);
      const waitTimeoutMs = parseSeconds('wait-timeout', opts.waitTimeout);
      const progress = progressFor(opts.output);
      const result = await labUp({
        spec,
        wait: opts.wait,
        waitTimeoutMs,
        progress,
        underlayOverride: process.env['WEFT_LAB_UNDERLAY'],
        planEnv: labPlanEnv(spec.kubernetes === true),
        openKv: (endpoints) => createEtcdKv({ endpoints, dialTimeoutMs: 5000 }),
      });
      if (opts.output === 'json') {
        printJson(result);
        return;
      }
      process.stdout.write(`\n${usageLines(spec.name, spec.kubernetes === true).join('\n')}\n`);
    });
}

function registerStatus(lab: Command): void {
  lab
    .command('status')
    .description("lab clusters, their hosts, netns and processes, and each process's health endpoint (etcd /health, agent :9962 and operator :9963 /healthz; the mesh proxy has none: -)")
    .addOption(outputOption())
    .action(async (opts: { output: string }) => {
      const status = await labStatusWithHealth();
      if (opts.output === 'json') printJson(status);
      else process.stdout.write(`${formatLabStatus(status)}\n`);
    });
}

function registerDown(lab: Command): void {
  lab
    .command('down')
    .description('remove a lab cluster (or all of them): processes, netns, veths, state, context')
    .option('--name <name>', 'the cluster to remove (default: every lab cluster)')
    .addOption(outputOption())
    .action(async (opts: { name?: string; output: string }) => {
      if (process.getuid?.() !== 0) throw new WeftError(ErrorCode.NotRoot, '`weft lab down` needs root (network namespaces, veths)');
      const result = await labDown(opts.name, progressFor(opts.output));
      if (opts.output === 'json') printJson(result);
      else if (result.removed.length === 0) process.stdout.write('Nothing to remove.\n');
    });
}

function registerProcess(lab: Command): void {
  const proc = lab.command('process').description('stop, start or restart one lab process (failure tests)');
  for (const action of ['stop', 'start', 'restart'] as const satisfies readonly ProcessAction[]) {
    proc
      .command(action)
      .description(`${action} a recorded lab process`)
      .requiredOption('--name <cluster>', 'lab cluster')
      .requiredOption('--host <host>', 'cp, n1, n2, …')
      .addOption(new Option('--process <process>', 'which process').choices([...LAB_PROCESS_NAMES]).makeOptionMandatory())
      .addOption(outputOption())
      .action(async (opts: { name: string; host: string; process: LabProcessName; output: string }) => {
        if (process.getuid?.() !== 0) throw new WeftError(ErrorCode.NotRoot, '`weft lab process` needs root');
        const result = await controlProcess(action, opts.name, opts.host, opts.process, progressFor(opts.output));
        if (opts.output === 'json') printJson(result);
      });
  }
}

export function registerLab(program: Command): void {
  const lab = program.command('lab').description('clusters of network namespaces on this machine (like kind)');
  registerUp(lab);
  registerStatus(lab);
  registerDown(lab);
  registerProcess(lab);
}
