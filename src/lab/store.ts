/**
 * Locked read-modify-write of the lab state, and the small updates commands
 * make while they work.
 */
import { readdirSync, rmdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { WeftError, ErrorCode } from '../errors.ts';
import type { ProcessRecord } from '../util/proc.ts';
import { withFileLock } from './lock.ts';
import { labDir, labStatePath, readLabState, writeLabState } from './state.ts';
import type { LabClusterPhase, LabMeshState, LabState } from './state.ts';
import type { LabProcessName } from './plan.ts';

export function labLockPath(): string {
  return path.join(labDir(), 'lock');
}

export async function withLabLock<T>(fn: () => Promise<T> | T): Promise<T> {
  return withFileLock(labLockPath(), fn);
}

/**
 * The underlay (netns wf-underlay, bridge, weft0 in the root netns) is
 * machine-wide while the lab lock is per WEFT_HOME: `lab up` holds this lock
 * from its checks of the underlay until its hosts are attached, and `lab down`
 * while it decides whether to remove the underlay, so labs of two homes never
 * build on, or remove, a half-made underlay. Taken before the lab lock, never
 * inside it.
 */
export const UNDERLAY_LOCK = '/run/lock/weft-lab-underlay.lock';

export async function withUnderlayLock<T>(fn: () => Promise<T> | T): Promise<T> {
  return withFileLock(UNDERLAY_LOCK, fn, { timeoutMs: 120_000 });
}

/** Applies fn to the state under the lock and writes the result. */
export async function updateLabState(fn: (s: LabState) => void): Promise<LabState> {
  return withLabLock(() => {
    const s = readLabState();
    fn(s);
    writeLabState(s);
    return s;
  });
}

/** The process entry of the lab state; WeftError(LabState) when the state has none. */
function recordedProcess(s: LabState, cluster: string, host: string, proc: LabProcessName): LabState['clusters'][number]['hosts'][number]['processes'][number] {
  const p = s.clusters
    .find((c) => c.name === cluster)
    ?.hosts.find((h) => h.name === host)
    ?.processes.find((x) => x.name === proc);
  if (p === undefined) throw new WeftError(ErrorCode.LabState, `lab state has no ${proc} on ${cluster}/${host}`);
  return p;
}

export async function setProcessRecord(cluster: string, host: string, proc: LabProcessName, rec: ProcessRecord | null): Promise<void> {
  await updateLabState((s) => {
    const p = recordedProcess(s, cluster, host, proc);
    p.pid = rec?.pid ?? null;
    p.startTime = rec?.startTime ?? null;
  });
}

/** Replaces the argv a recorded process is started with (the next start uses it). */
export async function setProcessArgv(cluster: string, host: string, proc: LabProcessName, argv: readonly string[]): Promise<void> {
  await updateLabState((s) => {
    recordedProcess(s, cluster, host, proc).argv = [...argv];
  });
}

/** Adds a process to a host's record (stopped) unless it is there; its argv is replaced either way. */
export async function ensureProcessEntry(cluster: string, host: string, proc: LabProcessName, argv: readonly string[], logFile: string): Promise<void> {
  await updateLabState((s) => {
    const h = s.clusters.find((c) => c.name === cluster)?.hosts.find((x) => x.name === host);
    if (h === undefined) throw new WeftError(ErrorCode.LabState, `lab state has no host ${cluster}/${host}`);
    const p = h.processes.find((x) => x.name === proc);
    if (p !== undefined) p.argv = [...argv];
    else h.processes.push({ name: proc, argv: [...argv], logFile, pid: null, startTime: null });
  });
}

/** Records the cluster's mesh security and the etcd client URL the lab uses. */
export async function setClusterMesh(cluster: string, mesh: LabMeshState, endpoint: string): Promise<void> {
  await updateLabState((s) => {
    const c = s.clusters.find((x) => x.name === cluster);
    if (c === undefined) throw new WeftError(ErrorCode.LabState, `lab state has no cluster ${cluster}`);
    c.mesh = { ...mesh };
    c.endpoint = endpoint;
  });
}

export async function setClusterPhase(cluster: string, phase: LabClusterPhase): Promise<void> {
  await updateLabState((s) => {
    const c = s.clusters.find((x) => x.name === cluster);
    if (c !== undefined) c.phase = phase;
  });
}

/** With no cluster and no underlay left, removes the state file and the lab folder (when empty). Call under no lock. */
export function removeLabFilesIfEmpty(): void {
  const s = readLabState();
  if (s.clusters.length > 0 || s.underlay !== null) return;
  rmSync(labStatePath(), { force: true });
  try {
    if (readdirSync(labDir()).length === 0) rmdirSync(labDir());
  } catch {
    /* already gone, or something else lives there */
  }
}
