/**
 * `weft agent`: the per-node daemon (started by `weft lab up`, one per node).
 */
import type { Command } from 'commander';
import { AGENT_HTTP_PORT, startDaemonHttp } from '../observe/daemonHttp.ts';
import { createLogger } from '../util/log.ts';
import { DEFAULT_FLOW_BUFFER } from '../observe/flowRing.ts';
import { ErrorCode, WeftError } from '../errors.ts';
import { tlsOptions, type EtcdFlagOptions, addEtcdFlags, kubeletOptions, type KubeletFlagOptions } from './daemonFlags.ts';

export function registerAgent(program: Command): void {
  const cmd = program
    .command('agent')
    .description('run the node agent (normally started by `weft lab up`)')
    .requiredOption('--cluster <name>', 'cluster name')
    .requiredOption('--node <name>', 'node name')
    .requiredOption('--node-ip <ip>', "the node's IP on the underlay")
    .requiredOption('--state-dir <dir>', 'where the agent keeps IPAM, pod records and its socket')
    .option('--http-listen <host:port>', `health, metrics and flows (default: <node-ip>:${AGENT_HTTP_PORT})`)
    .option('--flow-buffer <n>', 'flows kept for `weft observe` (a ring; 0 = no flow recording)', String(DEFAULT_FLOW_BUFFER))
    .option('--kubeconfig <file>', "Kubernetes mode: the node's kubeconfig (system:node:<node>); pods come from the Kubernetes API instead of weft/resources/pods; `in-cluster`: the pod's service account")
    .option('--kubelet-cert <file>', 'Kubernetes mode: serving certificate of the kubelet API on <node-ip>:10250 (kubectl logs)')
    .option('--kubelet-key <file>', 'Kubernetes mode: private key of --kubelet-cert')
    .option('--kubelet-client-ca <file>', "Kubernetes mode: CA that signs the API server's client certificate for the kubelet API")
    .option('--external-kubelet', "Kubernetes mode on a real cluster: the node's kubelet runs the pods and calls the CNI plugin; the agent only reads its Node's PodCIDR and the node's pods (deploy/kubernetes/)");
  addEtcdFlags(cmd).action(async (opts: EtcdFlagOptions & KubeletFlagOptions & { cluster: string; node: string; nodeIp: string; stateDir: string; httpListen?: string; flowBuffer: string }) => {
    const kubernetes = kubeletOptions(opts);
    const flowBuffer = Number(opts.flowBuffer);
    if (!Number.isInteger(flowBuffer) || flowBuffer < 0) throw new WeftError(ErrorCode.InvalidInput, `--flow-buffer must be a non-negative integer, got "${opts.flowBuffer}"`);
    const logger = createLogger({ component: 'agent', cluster: opts.cluster, node: opts.node });
    const tls = tlsOptions(opts);
    const http = await startDaemonHttp({ listen: opts.httpListen ?? `${opts.nodeIp}:${AGENT_HTTP_PORT}`, component: 'agent', logger });
    // Loaded when the daemon starts, not for every CLI call (the kubelet's Kubernetes client alone takes about a second).
    const { runAgent } = await import('../agent/agent.ts');
    const agent = await runAgent(
      { cluster: opts.cluster, node: opts.node, nodeIp: opts.nodeIp, etcd: opts.etcd.split(','), stateDir: opts.stateDir, http, flowBuffer, ...(tls ? { tls } : {}), ...(kubernetes ? { kubernetes } : {}) },
      logger,
    );
    await new Promise<void>((resolve) => {
      process.once('SIGTERM', resolve);
      process.once('SIGINT', resolve);
    });
    logger.info('stopping (pods and datapath stay in place)');
    await agent.stop();
    await http.close();
  });
}
