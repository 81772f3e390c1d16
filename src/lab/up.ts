/**
 * `weft lab up`: validate everything, reserve the cluster in the lab state,
 * then build it step by step (underlay, hosts, etcd, config, operator, agents,
 * node readiness, context). Any failure rolls back what this command created.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { WeftError, ErrorCode, errorMessage } from '../errors.ts';
import type { KvBackend } from '../kvstore/backend.ts';
import type { NodeState } from '../model/state.ts';
import { isAlive } from '../util/proc.ts';
import type { ProcessRecord } from '../util/proc.ts';
import { listContexts, saveContext } from '../contexts/contexts.ts';
import { waitEtcdHealthy, waitNodesReady, writeClusterConfig } from './clusterEtcd.ts';
import { removeUnderlayWhenUnused, teardownCluster } from './down.ts';
import type { ClusterPlan, LabClusterSpec, LabProcessName, PlanEnv, ProcessPlan } from './plan.ts';
import { waitTlsHealthy } from '../kube/health.ts';
import { userKubeconfigPath } from '../kube/kubeconfigFile.ts';
import { CONTROLLER_MANAGER_PORT, SCHEDULER_PORT } from '../kube/layout.ts';
import { writeKubePki } from '../kube/pki.ts';
import { labKubeconfigPath, mergeLabKubeconfig, writeComponentKubeconfigs } from './kubeconfig.ts';
import { preflight, requireRoot } from './preflight.ts';
import { logTail, startDetached } from './processes.ts';
import { seconds } from './progress.ts';
import type { Progress } from './progress.ts';
import { weftHome } from '../util/paths.ts';
import { clusterStateFromPlan, findCluster, labDir, readLabState, underlayStateFromPlan, writeLabState } from './state.ts';
import type { LabClusterState, LabKubernetesState } from './state.ts';
import { setClusterPhase, setProcessRecord, updateLabState, withLabLock, withUnderlayLock } from './store.ts';
import { createHost, ensureUnderlay } from './underlay.ts';

export interface LabUpOptions {
  spec: LabClusterSpec;
  /** Wait for every node to be ready with a PodCIDR. */
  wait: boolean;
  waitTimeoutMs: number;
  etcdTimeoutMs?: number;
  progress: Progress;
  /** WEFT_LAB_UNDERLAY, used when the lab creates its underlay. */
  underlayOverride: string | undefined;
  planEnv: PlanEnv;
  openKv: (endpoints: string[]) => KvBackend;
  /** How long the Kubernetes API server may take to be healthy. */
  kubeTimeoutMs?: number;
}

export interface LabUpResult {
  cluster: LabClusterState;
  nodes: NodeState[];
  contextIsCurrent: boolean;
}

/** The lab state's record of a Kubernetes-mode cluster (none in standalone mode). */
function kubernetesState(plan: ClusterPlan): { kubernetes?: LabKubernetesState } {
  const k = plan.kubernetes;
  if (k === undefined) return {};
  return {
    kubernetes: {
      apiServer: k.apiServer,
      kubeconfig: labKubeconfigPath(),
      userKubeconfig: userKubeconfigPath(process.env),
      adminKubeconfig: k.layout.kubeconfigs.admin,
      pkiDir: k.layout.pkiDir,
    },
  };
}

interface KubeStartContext {
  check: () => void;
  progress: Progress;
  timeoutMs: number;
  setStep: (step: string) => void;
}

type Started = { name: string; rec: ProcessRecord; logFile: string }[];

/** PKI, kubeconfigs, kube-etcd, the API server (healthy), controller manager and scheduler (healthy), the CRDs and RBAC, the user's kubeconfig. */
async function startKubernetes(plan: ClusterPlan, started: Started, ctx: KubeStartContext): Promise<void> {
  const k = plan.kubernetes;
  const cp = plan.hosts[0];
  if (k === undefined || cp === undefined) return;
  const { progress } = ctx;
  const name = plan.spec.name;
  ctx.setStep('Creating the Kubernetes PKI');
  const nodes = plan.hosts.filter((h) => h.role === 'node').map((h) => ({ name: h.name, ip: h.ip }));
  const ca = await writeKubePki({ cluster: name, cpIp: plan.cpIp, serviceCIDR: plan.spec.serviceCIDR, nodes }, k.layout);
  progress.ok(`Kubernetes PKI in ${k.layout.pkiDir} (CA ${ca.cert.subject})`);
  ctx.setStep('Writing the kubeconfigs');
  const admin = writeComponentKubeconfigs(name, k.apiServer, k.layout);
  progress.ok(`Kubeconfigs in ${k.layout.kubeconfigDir}`);

  const start = async (proc: LabProcessName): Promise<void> => {
    const p = cp.processes.find((x) => x.name === proc);
    if (p === undefined) throw new WeftError(ErrorCode.Internal, `plan of ${name} has no ${proc}`);
    ctx.setStep(`Starting ${proc}`);
    ctx.check();
    const rec = await startProcess(name, cp.name, p);
    started.push({ name: proc, rec, logFile: p.logFile });
    progress.ok(`${proc} started in ${cp.netns} (pid ${rec.pid})`);
  };
  const caPem = ca.certPem;
  await start('kube-etcd');
  await start('kube-apiserver');
  ctx.setStep(`Waiting for the API server ${k.apiServer}`);
  const t0 = Date.now();
  await waitTlsHealthy(`${k.apiServer}/healthz`, caPem, ctx.timeoutMs, ctx.check);
  progress.ok(`kube-apiserver healthy at ${k.apiServer} (${seconds(Date.now() - t0)})`);
  await start('kube-controller-manager');
  await start('kube-scheduler');
  for (const [proc, port] of [['kube-controller-manager', CONTROLLER_MANAGER_PORT], ['kube-scheduler', SCHEDULER_PORT]] as const) {
    ctx.setStep(`Waiting for ${proc}`);
    await waitTlsHealthy(`https://${plan.cpIp}:${port}/healthz`, undefined, ctx.timeoutMs, ctx.check);
    progress.ok(`${proc} healthy`);
  }
  ctx.setStep('Applying the CRDs and the operator RBAC');
  // Only `lab up --kubernetes` loads the Kubernetes client (about a second of every CLI call otherwise).
  const { applyManifestFiles, labManifestFiles } = await import('../kube/apply.ts');
  const applied = await applyManifestFiles(k.layout.kubeconfigs.admin, labManifestFiles());
  progress.ok(`Applied ${applied.join(', ')}`);
  const state = kubernetesState(plan).kubernetes;
  if (state === undefined) return;
  ctx.setStep(`Merging context ${name} into ${state.userKubeconfig}`);
  mergeLabKubeconfig(admin, state);
  progress.ok(`Kubeconfig context ${name} in ${state.kubeconfig} and ${state.userKubeconfig} (current)`);
}

async function startProcess(cluster: string, host: string, p: ProcessPlan): Promise<ProcessRecord> {
  const rec = await startDetached(p.argv, p.logFile);
  await setProcessRecord(cluster, host, p.name, rec);
  return rec;
}

function aliveCheck(started: readonly { name: string; rec: ProcessRecord; logFile: string }[], interrupted: () => boolean): () => void {
  return () => {
    if (interrupted()) throw new WeftError(ErrorCode.CommandFailed, 'interrupted');
    for (const s of started) {
      if (!isAlive(s.rec)) {
        const tail = logTail(s.logFile);
        throw new WeftError(ErrorCode.CommandFailed, `${s.name} (pid ${s.rec.pid}) exited; log ${s.logFile}${tail === '' ? ' is empty' : `:\n${tail}`}`);
      }
    }
  };
}

async function rollback(name: string, progress: Progress): Promise<void> {
  progress.info(`Rolling back what this command created for ${name}`);
  const state = readLabState();
  const rec = findCluster(state, name);
  if (rec !== undefined) {
    await teardownCluster(rec, state.underlay, progress);
    await updateLabState((s) => {
      s.clusters = s.clusters.filter((c) => c.name !== name);
    });
  }
  await removeUnderlayWhenUnused(progress);
}

/** Weft's state is root's alone: WEFT_HOME (when this creates it), the lab folder and each host's folder are 0700. */
function privateStateDirs(): void {
  mkdirSync(weftHome(), { recursive: true, mode: 0o700 });
  mkdirSync(labDir(), { recursive: true, mode: 0o700 });
  chmodSync(labDir(), 0o700);
}

export async function labUp(opts: LabUpOptions): Promise<LabUpResult> {
  const { spec, progress } = opts;
  requireRoot();
  // Checks first: input that fails them creates nothing, not even the lab folder.
  await withUnderlayLock(() => preflight(spec, opts.underlayOverride, opts.planEnv));
  privateStateDirs();

  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let step = 'Reserving the cluster in the lab state';
  let reserved = false;
  let kv: KvBackend | undefined;
  try {
    const check = (): void => {
      if (interrupted) throw new WeftError(ErrorCode.CommandFailed, 'interrupted');
    };
    // The underlay is machine-wide: held from its check until this cluster's hosts are on it.
    const { plan } = await withUnderlayLock(async () => {
      const pre = await withLabLock(async () => {
        const p = await preflight(spec, opts.underlayOverride, opts.planEnv);
        const s = readLabState();
        s.underlay ??= underlayStateFromPlan(p.underlay);
        s.clusters.push({ ...clusterStateFromPlan(p.plan, new Date().toISOString()), ...kubernetesState(p.plan) });
        writeLabState(s);
        reserved = true;
        return p;
      });
      const underlay = pre.underlay;
      step = `Creating the lab underlay ${underlay.cidr}`;
      const created = await ensureUnderlay(underlay);
      if (created.length > 0) progress.ok(`Underlay ${underlay.cidr} created: ${created.join(', ')}`);
      else progress.ok(`Underlay ${underlay.cidr} in place (netns ${underlay.netns}, bridge ${underlay.bridge})`);
      for (const h of pre.plan.hosts) {
        check();
        step = `Creating host ${h.name}`;
        mkdirSync(h.dir, { recursive: true, mode: 0o700 });
        chmodSync(h.dir, 0o700);
        await createHost(underlay, h);
        progress.ok(`Host ${h.name}: netns ${h.netns}, eth0 ${h.address}, veth ${h.underlayVeth} on ${underlay.bridge}`);
      }
      return pre;
    });

    const cp = plan.hosts[0];
    const etcd = cp?.processes.find((p) => p.name === 'etcd');
    const operator = cp?.processes.find((p) => p.name === 'operator');
    if (cp === undefined || etcd === undefined || operator === undefined) throw new WeftError(ErrorCode.Internal, 'plan has no control plane');

    step = 'Starting etcd';
    check();
    const etcdRec = await startProcess(spec.name, cp.name, etcd);
    progress.ok(`etcd started in ${cp.netns} (pid ${etcdRec.pid})`);
    const started: Started = [{ name: 'etcd', rec: etcdRec, logFile: etcd.logFile }];
    step = `Waiting for etcd at ${plan.endpoint}`;
    const t0 = Date.now();
    await waitEtcdHealthy(plan.endpoint, opts.etcdTimeoutMs ?? 30_000, aliveCheck(started, () => interrupted));
    progress.ok(`etcd healthy at ${plan.endpoint} (${seconds(Date.now() - t0)})`);

    step = 'Writing the cluster config';
    kv = opts.openKv([plan.endpoint]);
    const key = await writeClusterConfig(kv, plan.clusterConfig);
    progress.ok(`Cluster config written to ${key} (id ${spec.id}, pods ${spec.podCIDRs.join(',')}, services ${spec.serviceCIDR}, ${spec.routing})`);

    if (plan.kubernetes !== undefined) {
      step = 'Starting the Kubernetes control plane';
      await startKubernetes(plan, started, { check: aliveCheck(started, () => interrupted), progress, timeoutMs: opts.kubeTimeoutMs ?? 120_000, setStep: (x) => (step = x) });
    }

    step = 'Starting the operator';
    check();
    const opRec = await startProcess(spec.name, cp.name, operator);
    started.push({ name: 'operator', rec: opRec, logFile: operator.logFile });
    progress.ok(`operator started in ${cp.netns} (pid ${opRec.pid})`);

    for (const h of plan.hosts.filter((x) => x.role === 'node')) {
      for (const p of h.processes) {
        step = `Starting the ${p.name} on ${h.name}`;
        check();
        const rec = await startProcess(spec.name, h.name, p);
        started.push({ name: `${p.name} on ${h.name}`, rec, logFile: p.logFile });
        progress.ok(`${p.name} started on ${h.name} in ${h.netns} (pid ${rec.pid})`);
      }
    }

    let nodes: NodeState[] = [];
    const nodeNames = plan.hosts.filter((h) => h.role === 'node').map((h) => h.name);
    if (opts.wait) {
      step = `Waiting for nodes ${nodeNames.join(', ')} to be ready`;
      const t1 = Date.now();
      nodes = await waitNodesReady(kv, spec.name, nodeNames, { timeoutMs: opts.waitTimeoutMs, check: aliveCheck(started, () => interrupted) });
      progress.ok(`Nodes ready (${seconds(Date.now() - t1)}): ${nodes.map((n) => `${n.name} ${n.podCIDR}`).join(', ')}`);
    } else {
      progress.info('Not waiting for the nodes to be ready (--no-wait)');
    }

    step = 'Saving the context';
    saveContext({ name: spec.name, cluster: spec.name, endpoints: [plan.endpoint] }, false);
    const contextIsCurrent = listContexts().current === spec.name;
    progress.ok(`Context ${spec.name} saved${contextIsCurrent ? ' (current)' : ''}`);

    await setClusterPhase(spec.name, 'ready');
    const cluster = findCluster(readLabState(), spec.name);
    if (cluster === undefined) throw new WeftError(ErrorCode.LabState, `lab cluster ${spec.name} vanished from the lab state`);
    return { cluster, nodes, contextIsCurrent };
  } catch (err) {
    progress.fail(`${step}: ${errorMessage(err)}`);
    if (reserved) {
      try {
        await rollback(spec.name, progress);
      } catch (rbErr) {
        progress.fail(`Rollback: ${errorMessage(rbErr)}; run \`weft lab down --name ${spec.name}\``);
      }
    }
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (kv !== undefined) await kv.close().catch(() => undefined);
  }
}

/** How to use the new cluster, printed at the end of `lab up`. */
export function usageLines(name: string, kubernetes = false): string[] {
  return [
    `Cluster "${name}" is up. Try:`,
    ...(kubernetes ? [`  kubectl --context ${name} get nodes`] : []),
    `  weft --context ${name} get pods`,
    '  weft lab status',
    `  weft lab down --name ${name}`,
  ];
}

