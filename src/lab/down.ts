/**
 * `weft lab down`: stop exactly the recorded processes (daemons, then the
 * pods the agents recorded), delete the cluster's netns, veths, state folder
 * and context; the underlay goes with the last cluster. Idempotent.
 */
import { existsSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { WeftError, ErrorCode, errorMessage } from '../errors.ts';
import { listContexts, removeContext } from '../contexts/contexts.ts';
import { clusterPkiDir, pkiRoot } from '../pki/files.ts';
import { deleteNetns, listNetns, netnsPids } from './netns.ts';
import { clusterNetnsPrefix, DEFAULT_UNDERLAY_CIDR, planUnderlay } from './plan.ts';
import type { LabProcessName, UnderlayPlan } from './plan.ts';
import { removeLabKubeconfig } from './kubeconfig.ts';
import { readRecordedPods } from './pods.ts';
import { stopRecorded } from './processes.ts';
import type { Progress } from './progress.ts';
import { labDir, readLabState, writeLabState } from './state.ts';
import type { LabClusterState, LabProcessState } from './state.ts';
import { removeLabFilesIfEmpty, setClusterPhase, updateLabState, withLabLock, withUnderlayLock } from './store.ts';
import { deleteHostLink, removeUnderlay, underlayHostLinks } from './underlay.ts';
import { validateClusterName } from './validate.ts';

/** Daemons in stop order: the mesh proxy and the operator first, then the agents, the Kubernetes control plane, the etcds last. */
function daemonsInStopOrder(c: LabClusterState): { host: string; proc: LabProcessState }[] {
  const all = c.hosts.flatMap((h) => h.processes.map((proc) => ({ host: h.name, proc })));
  const rank: Readonly<Record<LabProcessName, number>> = {
    'mesh-proxy': 0,
    operator: 1,
    agent: 2,
    'kube-scheduler': 3,
    'kube-controller-manager': 4,
    'kube-apiserver': 5,
    'kube-etcd': 6,
    etcd: 7,
  };
  return all.sort((a, b) => rank[a.proc.name] - rank[b.proc.name]);
}

async function stopDaemon(c: LabClusterState, host: string, proc: LabProcessState, progress: Progress): Promise<void> {
  const rec = proc.pid === null || proc.startTime === null ? undefined : { pid: proc.pid, startTime: proc.startTime };
  const r = await stopRecorded(rec);
  if (r === 'stopped') progress.ok(`Stopped ${proc.name} on ${c.name}/${host} (pid ${proc.pid ?? '?'})`);
}

async function stopPods(c: LabClusterState, progress: Progress): Promise<string[]> {
  const podNetns: string[] = [];
  for (const h of c.hosts) {
    const { pods, invalid } = readRecordedPods(h.dir);
    for (const bad of invalid) progress.fail(`Cannot read pod record ${bad.file}: ${bad.reason}`);
    for (const pod of pods) {
      let stopped = 0;
      for (const rec of pod.processes) if ((await stopRecorded(rec)) === 'stopped') stopped++;
      if (stopped > 0) progress.ok(`Stopped ${stopped} process(es) of pod ${path.basename(pod.file, '.json')} on ${c.name}/${h.name}`);
      if (pod.netns !== '') podNetns.push(pod.netns);
    }
  }
  return podNetns;
}

async function deleteClusterNetns(cluster: string, podNetns: readonly string[], progress: Progress): Promise<void> {
  const prefix = clusterNetnsPrefix(cluster);
  const names = [...new Set([...podNetns, ...listNetns().filter((n) => n.startsWith(prefix))])];
  let deleted = 0;
  for (const ns of names) {
    const pids = await netnsPids(ns);
    if (pids.length > 0) progress.fail(`netns ${ns} still holds unrecorded processes ${pids.join(', ')} (not signalled)`);
    if (await deleteNetns(ns)) deleted++;
  }
  if (deleted > 0) progress.ok(`Deleted ${deleted} network namespace(s) ${prefix}*`);
}

function removeClusterDir(c: LabClusterState, progress: Progress): void {
  const dir = path.resolve(c.dir);
  if (path.dirname(dir) !== path.resolve(labDir())) {
    progress.fail(`Not removing ${dir}: it is not inside ${labDir()}`);
    return;
  }
  rmSync(dir, { recursive: true, force: true });
  progress.ok(`Removed state ${dir}`);
}

/** The cluster's PKI (`clustermesh enable`), and the pki folder once no cluster has one. */
function removeClusterPki(cluster: string, progress: Progress): void {
  const dir = clusterPkiDir(cluster);
  if (existsSync(dir)) {
    rmSync(dir, { recursive: true, force: true });
    progress.ok(`Removed PKI ${dir}`);
  }
  try {
    if (readdirSync(pkiRoot()).length === 0) rmdirSync(pkiRoot());
  } catch {
    /* absent, or other clusters' PKI remains */
  }
}

function removeLabContext(c: LabClusterState, progress: Progress): void {
  const ctx = listContexts().contexts.find((x) => x.name === c.name);
  if (ctx === undefined) return;
  if (ctx.cluster !== c.name || !ctx.endpoints.includes(c.endpoint)) {
    progress.info(`Context ${c.name} points elsewhere (${ctx.endpoints.join(',')}); left in place`);
    return;
  }
  removeContext(c.name);
  progress.ok(`Removed context ${c.name}`);
}

/** Removes everything of one cluster but its state record. */
export async function teardownCluster(c: LabClusterState, underlay: UnderlayPlan | null, progress: Progress): Promise<void> {
  const isEtcd = (name: LabProcessName): boolean => name === 'etcd' || name === 'kube-etcd';
  for (const { host, proc } of daemonsInStopOrder(c)) {
    if (isEtcd(proc.name)) continue;
    await stopDaemon(c, host, proc, progress);
  }
  const podNetns = await stopPods(c, progress);
  for (const { host, proc } of daemonsInStopOrder(c)) {
    if (isEtcd(proc.name)) await stopDaemon(c, host, proc, progress);
  }
  await deleteClusterNetns(c.name, podNetns, progress);
  if (underlay !== null) {
    let links = 0;
    for (const h of c.hosts) if (await deleteHostLink(underlay, h)) links++;
    if (links > 0) progress.ok(`Deleted ${links} underlay veth(s)`);
  }
  if (c.kubernetes !== undefined) removeLabKubeconfig(c.name, c.kubernetes, progress);
  removeClusterDir(c, progress);
  removeClusterPki(c.name, progress);
  removeLabContext(c, progress);
}

/** With no cluster left, removes the underlay (under the underlay and lab locks, so no `lab up` of any home builds on it meanwhile) and the lab's files. */
export async function removeUnderlayWhenUnused(progress: Progress): Promise<void> {
  let kept: string[] = [];
  const gone = await withUnderlayLock(() => withLabLock(async () => {
    const s = readLabState();
    if (s.clusters.length > 0) return [];
    // Names are fixed, so a lost state still finds the underlay.
    const u = s.underlay ?? planUnderlay(DEFAULT_UNDERLAY_CIDR);
    kept = await underlayHostLinks(u);
    const done = kept.length > 0 ? [] : await removeUnderlay(u);
    if (s.underlay !== null) {
      s.underlay = null;
      writeLabState(s);
    }
    return done;
  }));
  if (gone.length > 0) progress.ok(`Removed the lab underlay (${gone.join(', ')})`);
  if (kept.length > 0) progress.info(`Lab underlay kept: clusters of another WEFT_HOME still use it (${kept.join(', ')})`);
  removeLabFilesIfEmpty();
}

export interface LabDownResult {
  removed: string[];
}

export async function labDown(name: string | undefined, progress: Progress): Promise<LabDownResult> {
  if (name !== undefined) validateClusterName(name);
  const state = readLabState();
  const targets = name === undefined ? state.clusters : state.clusters.filter((c) => c.name === name);
  if (name !== undefined && targets.length === 0) {
    progress.info(`No lab cluster named ${name}; removing leftovers, if any`);
  }
  const underlay = state.underlay;
  const errors: string[] = [];
  for (const c of targets) {
    try {
      await setClusterPhase(c.name, 'deleting');
      await teardownCluster(c, underlay, progress);
      await updateLabState((s) => {
        s.clusters = s.clusters.filter((x) => x.name !== c.name);
      });
      progress.ok(`Lab cluster ${c.name} removed`);
    } catch (err) {
      progress.fail(`Removing ${c.name}: ${errorMessage(err)}`);
      errors.push(`${c.name}: ${errorMessage(err)}`);
    }
  }
  if (name !== undefined && targets.length === 0) {
    await deleteClusterNetns(name, [], progress);
    rmSync(path.join(labDir(), name), { recursive: true, force: true });
    removeClusterPki(name, progress);
  }
  await removeUnderlayWhenUnused(progress);
  if (errors.length > 0) throw new WeftError(ErrorCode.CommandFailed, `lab down left things behind: ${errors.join('; ')}`);
  return { removed: targets.map((c) => c.name) };
}
