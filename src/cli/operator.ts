/**
 * `weft operator`: the per-cluster control-plane daemon (started by
 * `weft lab up` in the control-plane netns). Runs until SIGTERM/SIGINT, logs
 * JSON lines to stderr.
 */
import { mkdirSync } from 'node:fs';
import type { Command } from 'commander';
import { WeftError, ErrorCode } from '../errors.ts';
import { parseDuration } from '../util/duration.ts';
import { createEtcdKv } from '../kvstore/etcd.ts';
import { OPERATOR_HTTP_PORT, startDaemonHttp } from '../observe/daemonHttp.ts';
import { createLogger } from '../util/log.ts';
import { addEtcdFlags, tlsOptions } from './daemonFlags.ts';
import type { EtcdFlagOptions } from './daemonFlags.ts';

interface OperatorFlags extends EtcdFlagOptions {
  cluster: string;
  stateDir: string;
  remoteTtl?: string;
  identityGcGrace: string;
  meshCert?: string;
  meshKey?: string;
  httpListen: string;
  kubeconfig?: string;
}

export function registerOperator(program: Command): void {
  const cmd = program
    .command('operator')
    .description('run the cluster operator: node PodCIDRs, Deployments/DaemonSets/StatefulSets → pods, scheduling (normally started by `weft lab up`)')
    .requiredOption('--cluster <name>', 'cluster name (reads weft/cluster-config/<name>)')
    .requiredOption('--state-dir <dir>', "the operator's working directory (created when missing)")
    .option('--remote-ttl <duration>', "drop a remote cluster's cache after it has been unreachable this long (e.g. 10m; off by default)")
    .option('--identity-gc-grace <duration>', 'delete an identity no endpoint has used for this long', '30s')
    .option('--mesh-cert <file>', "this cluster's remote identity (CN remote-<cluster>, mesh CA): the client certificate shown to remote clusters' mesh proxies")
    .option('--mesh-key <file>', 'the private key of --mesh-cert')
    .option('--http-listen <host:port>', 'health and metrics', `:${OPERATOR_HTTP_PORT}`)
    .option('--kubeconfig <file>', 'Kubernetes mode: read Services, EndpointSlices, Namespaces and policies from this API server (the standalone controllers are off); `in-cluster`: the pod\'s service account');
  addEtcdFlags(cmd).action(async (opts: OperatorFlags) => {
    const logger = createLogger({ component: 'operator', cluster: opts.cluster });
    mkdirSync(opts.stateDir, { recursive: true });
    const remoteTtlMs = opts.remoteTtl === undefined ? undefined : parseDuration(opts.remoteTtl);
    const tls = tlsOptions(opts);
    const endpoints = opts.etcd.split(',').map((u) => u.trim()).filter((u) => u !== '');
    const kv = createEtcdKv({ endpoints, ...(tls === undefined ? {} : { tls }) });
    const identityGc = { graceMs: parseDuration(opts.identityGcGrace) };
    if ((opts.meshCert === undefined) !== (opts.meshKey === undefined)) throw new WeftError(ErrorCode.InvalidInput, '--mesh-cert and --mesh-key go together: give both or neither');
    const identity = opts.meshCert === undefined || opts.meshKey === undefined ? undefined : { certFile: opts.meshCert, keyFile: opts.meshKey };
    const http = await startDaemonHttp({ listen: opts.httpListen, component: 'operator', logger });
    // Loaded when the daemon starts, not for every CLI call (the Kubernetes client alone takes about a second).
    const { startOperator } = await import('../operator/operator.ts');
    const operator = startOperator({ kv, cluster: opts.cluster, logger, reflector: { stateDir: opts.stateDir, remoteTtlMs, identity }, identityGc, http, ...(opts.kubeconfig === undefined ? {} : { kube: { kubeconfig: opts.kubeconfig } }) });
    logger.info('operator started', { etcd: endpoints, pid: process.pid, stateDir: opts.stateDir, remoteTtlMs: remoteTtlMs ?? null, kubeconfig: opts.kubeconfig ?? null });
    const signal = await new Promise<string>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'));
      process.once('SIGINT', () => resolve('SIGINT'));
    });
    logger.info('operator stopping', { signal });
    await operator.stop();
    await http.close();
    await kv.close();
    logger.info('operator stopped');
  });
}
