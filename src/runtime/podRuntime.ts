/**
 * Runs lab pods on a node: a network namespace, the CNI chain invoked exactly
 * as a container runtime invokes it, and one process per container inside the
 * namespace. Pod processes are detached from the agent, so an agent restart
 * leaves them (and their connections) running. The pod's volumes (podVolumes.ts)
 * are made before anything else and removed with the pod. Each process runs
 * confined (podSandbox.ts): its own uid, no capabilities, a mount namespace
 * where Weft's state is hidden and only its own volumes are mounted.
 */
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, closeSync, mkdirSync, openSync, rmSync } from 'node:fs';
import path from 'node:path';
import { invokeChain } from '../cni/invoke.ts';
import { WeftError, ErrorCode, errorMessage, isWeftError } from '../errors.ts';
import type { Logger } from '../util/log.ts';
import { isAlive, recordProcess, stopProcess } from '../util/proc.ts';
import { CNI_BIN_DIR, NODE_BIN, PROJECT_ROOT, REFERENCE_CNI_DIR, weftHome } from '../util/paths.ts';
import { removePodResolvConf, writePodResolvConf } from '../dns/resolvConf.ts';
import { createNetns, deleteNetns, netnsExists, netnsPath, setNetnsSysctls } from './netns.ts';
import type { PodSandbox } from './podSandbox.ts';
import { podLaunchArgv, podNetnsSysctls, podUid, podViewOfCheckoutPath, POD_CHECKOUT_DIR, POD_VOLUMES_DIR } from './podSandbox.ts';
import type { PodRecord } from './podRecord.ts';
import { podFileStem, podLogPath, podRecordDir, removePodRecord, writePodRecord } from './podRecord.ts';
import type { PodPlacement, ProcessSpec, RuntimePod } from './podSpec.ts';
import { podContainerId, podNetnsName, podProcesses, podSpecHash } from './podSpec.ts';
import type { ConfigMapSource } from './podVolumes.ts';
import { hasConfigMapVolumes, materializePodVolumes, podVolumesDir, removePodVolumes } from './podVolumes.ts';
import { volumeDir } from './volumeMounts.ts';

export interface PodRuntimeConfig {
  readonly stateDir: string;
  readonly cluster: string;
  readonly node: string;
  readonly cniSocket: string;
  readonly logger: Logger;
  /** Where configMap volumes are read; without it such a pod waits (VolumeNotReady). */
  readonly configMaps?: ConfigMapSource | undefined;
}

/** Paths as the pod sees them: the checkout and its volumes inside its own mount namespace. */
function placement(cfg: PodRuntimeConfig): PodPlacement {
  return { cluster: cfg.cluster, node: cfg.node, nodeBin: podViewOfCheckoutPath(PROJECT_ROOT, NODE_BIN), projectRoot: POD_CHECKOUT_DIR, volumesDir: POD_VOLUMES_DIR };
}

/** Folders no pod sees: Weft's homes and this node's state. */
function hiddenDirs(cfg: PodRuntimeConfig): string[] {
  return [...new Set([weftHome(), '/var/lib/weft', cfg.stateDir])];
}

function sandboxStageDir(stateDir: string, namespace: string, name: string): string {
  return path.join(podRecordDir(stateDir), `${podFileStem(namespace, name)}.sandbox`);
}

/** The pod's volumes folder and each volume owned by the pod's uid, 0700: no other pod can enter them. */
function ownPodVolumes(cfg: PodRuntimeConfig, pod: RuntimePod, uid: number): void {
  if ((pod.volumes ?? []).length === 0) return;
  const base = podVolumesDir(cfg.stateDir, pod.namespace, pod.name);
  mkdirSync(base, { recursive: true, mode: 0o700 });
  for (const dir of [base, ...(pod.volumes ?? []).map((v) => volumeDir(base, v.name))]) {
    chownSync(dir, uid, uid);
    chmodSync(dir, 0o700);
  }
}

function sandboxOf(cfg: PodRuntimeConfig, pod: RuntimePod, container: string): PodSandbox {
  const mounts = pod.containers.find((c) => c.name === container)?.volumeMounts ?? [];
  const base = podVolumesDir(cfg.stateDir, pod.namespace, pod.name);
  const names = [...new Set(mounts.map((m) => m.name))];
  return {
    uid: podUid(cfg.cluster, pod.namespace, pod.name),
    stageDir: sandboxStageDir(cfg.stateDir, pod.namespace, pod.name),
    checkout: PROJECT_ROOT,
    hidden: hiddenDirs(cfg),
    volumes: names.map((name) => ({ name, hostDir: volumeDir(base, name) })),
    mounts,
  };
}

/** The node's CNI configuration list (also what deploy/kubernetes/'s DaemonSet writes to /etc/cni/net.d). */
export function weftConflist(cniSocket: string): { cniVersion: string; name: string; plugins: Record<string, unknown>[] } {
  return { cniVersion: '1.0.0', name: 'weft', plugins: [{ type: 'weft', socket: cniSocket }] };
}

function conflist(cfg: PodRuntimeConfig): { cniVersion: string; name: string; plugins: Record<string, unknown>[] } {
  return weftConflist(cfg.cniSocket);
}

function cniRequest(cfg: PodRuntimeConfig, command: 'ADD' | 'DEL', rec: { namespace: string; name: string; netns: string; containerId: string }) {
  return {
    command,
    containerId: rec.containerId,
    netns: netnsPath(rec.netns),
    ifName: 'eth0',
    args: { K8S_POD_NAMESPACE: rec.namespace, K8S_POD_NAME: rec.name, K8S_POD_INFRA_CONTAINER_ID: rec.containerId },
    cniPath: [CNI_BIN_DIR, REFERENCE_CNI_DIR],
  } as const;
}

function spawnInNetns(cfg: PodRuntimeConfig, netns: string, pod: RuntimePod, spec: ProcessSpec): PodRecord['processes'][number] {
  mkdirSync(podRecordDir(cfg.stateDir), { recursive: true, mode: 0o700 });
  chmodSync(podRecordDir(cfg.stateDir), 0o700);
  const sandbox = sandboxOf(cfg, pod, spec.container);
  mkdirSync(sandbox.stageDir, { recursive: true, mode: 0o700 });
  // ip netns exec bind-mounts /etc/netns/<netns>/resolv.conf: the pod resolves through the node's DNS responder.
  writePodResolvConf(netns, pod.namespace);
  const log = openSync(podLogPath(cfg.stateDir, pod.namespace, pod.name), 'a');
  try {
    const [cmd = 'ip', ...args] = podLaunchArgv(netns, sandbox, spec.argv);
    const child = spawn(cmd, args, {
      detached: true,
      stdio: ['ignore', log, log],
      env: { PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...spec.env },
    });
    child.unref();
    if (child.pid === undefined) throw new WeftError(ErrorCode.CommandFailed, `cannot start ${spec.argv.join(' ')} in pod ${pod.namespace}/${pod.name}`);
    return { ...recordProcess(child.pid), container: spec.container };
  } finally {
    closeSync(log);
  }
}

function ipOf(result: unknown): string {
  const ips = (result as { ips?: { address?: string }[] } | undefined)?.ips;
  const address = ips?.[0]?.address;
  if (address === undefined) throw new WeftError(ErrorCode.CniError, 'the CNI result has no IP address');
  return address.split('/')[0] ?? address;
}

/**
 * Create the pod's volumes, sandbox, network and processes. Undoes everything
 * it did when a step fails. A volume that cannot be set up yet (missing
 * ConfigMap) throws VolumeNotReady before any sandbox exists.
 */
export async function startPod(cfg: PodRuntimeConfig, pod: RuntimePod): Promise<PodRecord> {
  const netns = podNetnsName(cfg.cluster, cfg.node, pod.namespace, pod.name);
  const containerId = podContainerId(cfg.cluster, pod.namespace, pod.name);
  const base = { namespace: pod.namespace, name: pod.name, netns, containerId };
  removePodVolumes(cfg.stateDir, pod.namespace, pod.name);
  try {
    await materializePodVolumes(cfg.stateDir, pod, cfg.configMaps);
    ownPodVolumes(cfg, pod, podUid(cfg.cluster, pod.namespace, pod.name));
  } catch (err) {
    removePodVolumes(cfg.stateDir, pod.namespace, pod.name);
    throw err;
  }
  if (netnsExists(netns)) await teardownSandbox(cfg, base);
  await createNetns(netns);
  await setNetnsSysctls(netns, podNetnsSysctls);
  const rec: PodRecord = { ...base, ip: '', specHash: podSpecHash(pod), startedAt: new Date().toISOString(), restarts: 0, processes: [] };
  try {
    rec.ip = ipOf(await invokeChain(conflist(cfg), cniRequest(cfg, 'ADD', base)));
    for (const spec of podProcesses(pod, placement(cfg))) {
      rec.processes.push(spawnInNetns(cfg, netns, pod, spec));
    }
    writePodRecord(cfg.stateDir, rec);
    return rec;
  } catch (err) {
    cfg.logger.warn('pod start failed, undoing', { pod: `${pod.namespace}/${pod.name}`, err: errorMessage(err) });
    await Promise.all(rec.processes.map((p) => stopProcess(p)));
    await teardownSandbox(cfg, base);
    removePodVolumes(cfg.stateDir, pod.namespace, pod.name);
    rmSync(sandboxStageDir(cfg.stateDir, pod.namespace, pod.name), { recursive: true, force: true });
    throw err;
  }
}

async function teardownSandbox(cfg: PodRuntimeConfig, base: { namespace: string; name: string; netns: string; containerId: string }): Promise<void> {
  try {
    await invokeChain(conflist(cfg), cniRequest(cfg, 'DEL', base));
  } catch (err) {
    cfg.logger.warn('CNI DEL failed', { pod: `${base.namespace}/${base.name}`, err: errorMessage(err) });
  }
  await deleteNetns(base.netns);
  removePodResolvConf(base.netns);
}

/** Stop the pod's processes, release its network and remove its sandbox. */
export async function stopPod(cfg: PodRuntimeConfig, rec: PodRecord): Promise<void> {
  await Promise.all(rec.processes.map((p) => stopProcess(p, 2000)));
  await teardownSandbox(cfg, rec);
  removePodVolumes(cfg.stateDir, rec.namespace, rec.name);
  rmSync(sandboxStageDir(cfg.stateDir, rec.namespace, rec.name), { recursive: true, force: true });
  removePodRecord(cfg.stateDir, rec.namespace, rec.name);
}

/**
 * Bring a running pod's configMap volumes up to date with their ConfigMaps.
 * A ConfigMap that disappeared leaves the last files in place (as the kubelet
 * does); other failures are logged.
 */
export async function refreshPodVolumes(cfg: PodRuntimeConfig, pod: RuntimePod): Promise<void> {
  if (!hasConfigMapVolumes(pod)) return;
  try {
    if (await materializePodVolumes(cfg.stateDir, pod, cfg.configMaps)) cfg.logger.info('pod volumes updated', { pod: `${pod.namespace}/${pod.name}` });
  } catch (err) {
    if (isWeftError(err, ErrorCode.VolumeNotReady)) cfg.logger.debug('pod volumes kept', { pod: `${pod.namespace}/${pod.name}`, reason: err.message });
    else cfg.logger.warn('pod volumes refresh failed', { pod: `${pod.namespace}/${pod.name}`, err: errorMessage(err) });
  }
}

/** Restart any of the pod's processes that died (restartPolicy Always). Returns the updated record. */
export function restartDeadProcesses(cfg: PodRuntimeConfig, pod: RuntimePod, rec: PodRecord): PodRecord {
  const specs = podProcesses(pod, placement(cfg));
  let restarted = 0;
  const processes = rec.processes.map((p) => {
    if (isAlive(p)) return p;
    const spec = specs.find((s) => s.container === p.container);
    if (spec === undefined) return p;
    restarted++;
    return spawnInNetns(cfg, rec.netns, pod, spec);
  });
  if (restarted === 0) return rec;
  const next = { ...rec, processes, restarts: rec.restarts + restarted };
  writePodRecord(cfg.stateDir, next);
  return next;
}
