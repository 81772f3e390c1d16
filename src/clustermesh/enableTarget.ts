/**
 * What `clustermesh enable` acts on: the context, the lab cluster behind it
 * and the argv of its processes. Read-only; errors name the context.
 */
import { WeftError, ErrorCode } from '../errors.ts';
import { resolveContext } from '../contexts/contexts.ts';
import type { Context } from '../contexts/contexts.ts';
import type { LabProcessName } from '../lab/plan.ts';
import { findCluster, readLabState } from '../lab/state.ts';
import type { LabClusterState } from '../lab/state.ts';
import { etcdServesMtls } from './enablePlan.ts';

export interface ProcessRef {
  host: string;
  proc: LabProcessName;
  argv: string[];
  alive: boolean;
}

export interface EnableTarget {
  ctx: Context;
  cluster: LabClusterState;
  etcd: ProcessRef;
  operator: ProcessRef;
  /** Absent until the first enable adds it. */
  meshProxy: ProcessRef | undefined;
  agents: ProcessRef[];
}

function processesOf(c: LabClusterState, isAlive: (rec: { pid: number; startTime: string }) => boolean): ProcessRef[] {
  return c.hosts.flatMap((h) =>
    h.processes.map((p) => ({
      host: h.name,
      proc: p.name,
      argv: [...p.argv],
      alive: p.pid !== null && p.startTime !== null && isAlive({ pid: p.pid, startTime: p.startTime }),
    })),
  );
}

/** The lab cluster a context points at, with its etcd, operator and agents. */
export function enableTarget(contextName: string | undefined, isAlive: (rec: { pid: number; startTime: string }) => boolean): EnableTarget {
  const ctx = resolveContext(contextName);
  const state = readLabState();
  const cluster = findCluster(state, ctx.cluster);
  if (cluster === undefined) {
    const known = state.clusters.map((c) => c.name);
    throw new WeftError(
      ErrorCode.NotFound,
      `context "${ctx.name}" points at cluster "${ctx.cluster}", which is not a lab cluster on this machine (lab clusters: ${known.length === 0 ? 'none' : known.join(', ')}); ` +
        '`weft clustermesh enable` configures lab clusters',
    );
  }
  if (cluster.phase !== 'ready') {
    throw new WeftError(ErrorCode.Conflict, `lab cluster "${cluster.name}" is ${cluster.phase}, not ready; wait for \`weft lab up\` to finish`);
  }
  const procs = processesOf(cluster, isAlive);
  const etcd = procs.find((p) => p.proc === 'etcd');
  const operator = procs.find((p) => p.proc === 'operator');
  if (etcd === undefined || operator === undefined) {
    throw new WeftError(ErrorCode.LabState, `lab cluster "${cluster.name}" records no etcd or no operator`);
  }
  return { ctx, cluster, etcd, operator, meshProxy: procs.find((p) => p.proc === 'mesh-proxy'), agents: procs.filter((p) => p.proc === 'agent') };
}

/** Enable has finished before: the lab records it, etcd runs mTLS, the context carries the admin certificate. */
export function isMeshEnabled(t: EnableTarget): boolean {
  return (
    t.cluster.mesh?.enabled === true &&
    etcdServesMtls(t.etcd.argv) &&
    t.meshProxy?.alive === true &&
    t.ctx.tls !== undefined &&
    t.ctx.endpoints.every((e) => e.startsWith('https://'))
  );
}
