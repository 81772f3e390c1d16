/**
 * The lab's record of what it built: `${weftHome()}/lab/state.json`, written
 * atomically, guarded by a lock file for concurrent `weft lab` commands.
 */
import path from 'node:path';
import { z } from 'zod';
import { WeftError, ErrorCode, errorMessage } from '../errors.ts';
import type { EtcdTls } from '../kvstore/etcd.ts';
import { RoutingMode } from '../model/state.ts';
import { clusterCaFiles, pemPair } from '../pki/files.ts';
import { weftHome } from '../util/paths.ts';
import { readJsonIfExists, writeJsonAtomic } from '../util/atomicFile.ts';
import { LAB_PROCESS_NAMES } from './plan.ts';
import type { ClusterPlan, LabProcessName, UnderlayPlan } from './plan.ts';

export const LabProcessState = z.object({
  name: z.enum(LAB_PROCESS_NAMES),
  argv: z.array(z.string()).min(1),
  logFile: z.string(),
  /** null while the process is stopped. */
  pid: z.number().int().nullable(),
  startTime: z.string().nullable(),
});
export type LabProcessState = z.infer<typeof LabProcessState>;

export const LabHostState = z.object({
  name: z.string(),
  role: z.enum(['control-plane', 'node']),
  netns: z.string(),
  ip: z.string(),
  address: z.string(),
  underlayVeth: z.string(),
  dir: z.string(),
  processes: z.array(LabProcessState),
});
export type LabHostState = z.infer<typeof LabHostState>;

export const LabClusterPhase = z.enum(['creating', 'ready', 'deleting']);
export type LabClusterPhase = z.infer<typeof LabClusterPhase>;

/** Set by `weft clustermesh enable`: etcd serves mTLS with RBAC, the PKI is in pkiDir. */
export const LabMeshState = z.object({
  enabled: z.boolean(),
  pkiDir: z.string(),
});
export type LabMeshState = z.infer<typeof LabMeshState>;

/** Set by `lab up --kubernetes`: the API server, the lab's kubeconfig and the user's kubeconfig it merged its context into. */
export const LabKubernetesState = z.object({
  apiServer: z.string(),
  /** `${weftHome()}/kubeconfig`: one context per lab cluster. */
  kubeconfig: z.string(),
  /** The user's kubeconfig (first $KUBECONFIG file, else ~/.kube/config) holding the merged entries lab down removes. */
  userKubeconfig: z.string(),
  /** The admin kubeconfig of the cluster (`<lab>/<cluster>/kube/admin.kubeconfig`). */
  adminKubeconfig: z.string(),
  /** The cluster's Kubernetes PKI folder. */
  pkiDir: z.string(),
});
export type LabKubernetesState = z.infer<typeof LabKubernetesState>;

export const LabClusterState = z.object({
  name: z.string(),
  id: z.number().int(),
  nodes: z.number().int(),
  podCIDRs: z.array(z.string()),
  serviceCIDR: z.string(),
  routing: RoutingMode,
  nodeCidrMaskSize: z.number().int(),
  netnsPrefix: z.string(),
  dir: z.string(),
  cpIp: z.string(),
  endpoint: z.string(),
  phase: LabClusterPhase,
  createdAt: z.string(),
  hosts: z.array(LabHostState),
  mesh: LabMeshState.optional(),
  kubernetes: LabKubernetesState.optional(),
});
export type LabClusterState = z.infer<typeof LabClusterState>;

export const LabUnderlayState = z.object({
  cidr: z.string(),
  netns: z.string(),
  bridge: z.string(),
  rootVeth: z.string(),
  rootPeer: z.string(),
  rootAddress: z.string(),
});

export const LabState = z.object({
  version: z.literal(1),
  underlay: LabUnderlayState.nullable(),
  clusters: z.array(LabClusterState),
});
export type LabState = z.infer<typeof LabState>;

export function labDir(): string {
  return path.join(weftHome(), 'lab');
}

export function labStatePath(): string {
  return path.join(labDir(), 'state.json');
}

export function emptyLabState(): LabState {
  return { version: 1, underlay: null, clusters: [] };
}

export function readLabState(): LabState {
  const file = labStatePath();
  let raw: unknown;
  try {
    raw = readJsonIfExists(file);
  } catch (err) {
    throw new WeftError(ErrorCode.LabState, `cannot read lab state ${file}: ${errorMessage(err)}`, { cause: err });
  }
  if (raw === undefined) return emptyLabState();
  const parsed = LabState.safeParse(raw);
  if (!parsed.success) throw new WeftError(ErrorCode.LabState, `lab state ${file} is invalid: ${parsed.error.message}`);
  return parsed.data;
}

export function writeLabState(state: LabState): void {
  writeJsonAtomic(labStatePath(), LabState.parse(state));
}

/** The state entry of a planned cluster: every process known, none started yet. */
export function clusterStateFromPlan(plan: ClusterPlan, createdAt: string): LabClusterState {
  const s = plan.spec;
  return {
    name: s.name,
    id: s.id,
    nodes: s.nodes,
    podCIDRs: [...s.podCIDRs],
    serviceCIDR: s.serviceCIDR,
    routing: s.routing,
    nodeCidrMaskSize: s.nodeCidrMaskSize,
    netnsPrefix: plan.netnsPrefix,
    dir: plan.dir,
    cpIp: plan.cpIp,
    endpoint: plan.endpoint,
    phase: 'creating',
    createdAt,
    hosts: plan.hosts.map((h) => ({
      name: h.name,
      role: h.role,
      netns: h.netns,
      ip: h.ip,
      address: h.address,
      underlayVeth: h.underlayVeth,
      dir: h.dir,
      processes: h.processes.map((p) => ({ name: p.name, argv: [...p.argv], logFile: p.logFile, pid: null, startTime: null })),
    })),
  };
}

export function underlayStateFromPlan(u: UnderlayPlan): z.infer<typeof LabUnderlayState> {
  return { ...u };
}

export function findCluster(state: LabState, name: string): LabClusterState | undefined {
  return state.clusters.find((c) => c.name === name);
}

/** The named process of a host, or a WeftError(NotFound) naming what exists. */
export function findProcess(cluster: LabClusterState, host: string, proc: LabProcessName): LabProcessState {
  const h = cluster.hosts.find((x) => x.name === host);
  if (h === undefined) {
    throw new WeftError(
      ErrorCode.NotFound,
      `lab cluster "${cluster.name}" has no host "${host}"; hosts: ${cluster.hosts.map((x) => x.name).join(', ')}`,
    );
  }
  const p = h.processes.find((x) => x.name === proc);
  if (p === undefined) {
    throw new WeftError(
      ErrorCode.NotFound,
      `host "${host}" of lab cluster "${cluster.name}" runs no ${proc}; it runs: ${h.processes.map((x) => x.name).join(', ')}`,
    );
  }
  return p;
}

/**
 * How the lab itself reaches a cluster's etcd once `clustermesh enable` has
 * switched it to https (mesh recorded, even while enable is still running):
 * the admin client certificate of the cluster's PKI.
 */
export function clusterEtcdTls(cluster: LabClusterState): EtcdTls | undefined {
  if (cluster.mesh === undefined || !cluster.endpoint.startsWith('https://')) return undefined;
  const admin = pemPair(cluster.mesh.pkiDir, 'admin');
  return { caFile: clusterCaFiles(cluster.mesh.pkiDir).certFile, certFile: admin.certFile, keyFile: admin.keyFile };
}
