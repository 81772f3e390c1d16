/**
 * `weft lab process stop|start|restart`: act on one recorded lab process
 * (failure and restart tests). Restart stops the recorded PID, runs the same
 * argv again and records the new PID.
 */
import { WeftError, ErrorCode } from '../errors.ts';
import type { EtcdTls } from '../kvstore/etcd.ts';
import { isAlive } from '../util/proc.ts';
import { waitEtcdHealthy } from './clusterEtcd.ts';
import type { LabProcessName } from './plan.ts';
import { startDetached, stopRecorded } from './processes.ts';
import type { Progress } from './progress.ts';
import { clusterEtcdTls, findCluster, findProcess, readLabState } from './state.ts';
import type { LabClusterState, LabProcessState } from './state.ts';
import { setProcessArgv, setProcessRecord } from './store.ts';

export type ProcessAction = 'stop' | 'start' | 'restart';

/** Where a (re)started etcd is probed for health; default: the cluster's recorded endpoint and TLS. */
export interface EtcdHealthTarget {
  endpoint: string;
  tls: EtcdTls | undefined;
}

export interface ProcessActionResult {
  cluster: string;
  host: string;
  process: LabProcessName;
  action: ProcessAction;
  previousPid: number | null;
  pid: number | null;
  alive: boolean;
}

function lookup(cluster: string, host: string, proc: LabProcessName): { c: LabClusterState; p: LabProcessState } {
  const state = readLabState();
  const c = findCluster(state, cluster);
  if (c === undefined) {
    const known = state.clusters.map((x) => x.name);
    throw new WeftError(ErrorCode.NotFound, `lab cluster "${cluster}" does not exist; lab clusters: ${known.length === 0 ? 'none' : known.join(', ')}`);
  }
  return { c, p: findProcess(c, host, proc) };
}

function recordOf(p: LabProcessState): { pid: number; startTime: string } | undefined {
  return p.pid === null || p.startTime === null ? undefined : { pid: p.pid, startTime: p.startTime };
}

export async function controlProcess(
  action: ProcessAction,
  cluster: string,
  host: string,
  proc: LabProcessName,
  progress: Progress,
  etcdHealth?: EtcdHealthTarget,
): Promise<ProcessActionResult> {
  const { c, p } = lookup(cluster, host, proc);
  const what = `${proc} on ${cluster}/${host}`;
  const previous = recordOf(p);
  let current = previous !== undefined && isAlive(previous) ? previous : undefined;

  if (action === 'stop' || action === 'restart') {
    if (current === undefined) {
      progress.info(`${what} is not running`);
    } else {
      await stopRecorded(current);
      progress.ok(`Stopped ${what} (pid ${current.pid})`);
      current = undefined;
    }
    if (previous !== undefined) await setProcessRecord(cluster, host, proc, null);
  }
  if (action === 'start' || action === 'restart') {
    if (current !== undefined) {
      progress.info(`${what} is already running (pid ${current.pid})`);
    } else {
      const rec = await startDetached(p.argv, p.logFile);
      await setProcessRecord(cluster, host, proc, rec);
      current = rec;
      progress.ok(`Started ${what} (pid ${rec.pid})`);
      if (proc === 'etcd') {
        const target = etcdHealth ?? { endpoint: c.endpoint, tls: clusterEtcdTls(c) };
        await waitEtcdHealthy(target.endpoint, 30_000, undefined, target.tls);
        progress.ok(`etcd healthy at ${target.endpoint}${target.tls === undefined ? '' : ' (mTLS)'}`);
      }
    }
  }
  return {
    cluster,
    host,
    process: proc,
    action,
    previousPid: previous?.pid ?? null,
    pid: current?.pid ?? null,
    alive: current !== undefined && isAlive(current),
  };
}

/**
 * Replaces the recorded argv of a process and restarts it with the new one
 * (e.g. `clustermesh enable` switching etcd and its clients to mTLS).
 */
export async function restartWithArgv(
  cluster: string,
  host: string,
  proc: LabProcessName,
  argv: readonly string[],
  progress: Progress,
  etcdHealth?: EtcdHealthTarget,
): Promise<ProcessActionResult> {
  lookup(cluster, host, proc);
  await setProcessArgv(cluster, host, proc, argv);
  return controlProcess('restart', cluster, host, proc, progress, etcdHealth);
}
