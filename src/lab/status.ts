/**
 * `weft lab status`: what the lab state records, checked against the machine
 * (netns present, recorded processes alive).
 */
import { isAlive } from '../util/proc.ts';
import { AGENT_HTTP_PORT, OPERATOR_HTTP_PORT } from '../observe/daemonHttp.ts';
import { APISERVER_PORT, CONTROLLER_MANAGER_PORT, SCHEDULER_PORT } from '../kube/layout.ts';
import { listNetns } from './netns.ts';
import { readLabState } from './state.ts';
import type { LabClusterPhase, LabHostState, LabState } from './state.ts';
import type { LabProcessName } from './plan.ts';

/** A process's health endpoint and what it answered: ok, failing, unchecked (not probed yet) or none (no HTTP port: the mesh proxy). */
export interface LabProcessHealth {
  state: 'ok' | 'failing' | 'unchecked' | 'none';
  /** etcd's /health, the daemons' /healthz; '' for none. */
  url: string;
  error: string;
}

export interface LabProcessStatus {
  name: LabProcessName;
  pid: number | null;
  alive: boolean;
  logFile: string;
  health: LabProcessHealth;
}

/** Where a lab process reports its health (pure); kube-etcd through the API server's view of it (it listens on the control plane's loopback only). */
export function healthUrlOf(name: LabProcessName, hostIp: string, etcdEndpoint: string): string {
  switch (name) {
    case 'etcd':
      return `${etcdEndpoint}/health`;
    case 'operator':
      return `http://${hostIp}:${OPERATOR_HTTP_PORT}/healthz`;
    case 'agent':
      return `http://${hostIp}:${AGENT_HTTP_PORT}/healthz`;
    case 'mesh-proxy':
      return '';
    case 'kube-etcd':
      return `https://${hostIp}:${APISERVER_PORT}/healthz/etcd`;
    case 'kube-apiserver':
      return `https://${hostIp}:${APISERVER_PORT}/healthz`;
    case 'kube-controller-manager':
      return `https://${hostIp}:${CONTROLLER_MANAGER_PORT}/healthz`;
    case 'kube-scheduler':
      return `https://${hostIp}:${SCHEDULER_PORT}/healthz`;
  }
}

export interface LabHostStatus {
  name: string;
  role: LabHostState['role'];
  ip: string;
  netns: string;
  netnsPresent: boolean;
  processes: LabProcessStatus[];
}

export interface LabClusterStatus {
  name: string;
  id: number;
  phase: LabClusterPhase;
  endpoint: string;
  /** `weft clustermesh enable` done: etcd serves mTLS with client-certificate auth and RBAC. */
  mesh: { enabled: boolean; pkiDir: string };
  podCIDRs: string[];
  serviceCIDR: string;
  routing: string;
  createdAt: string;
  hosts: LabHostStatus[];
}

export interface LabStatus {
  underlay: { cidr: string; netns: string; present: boolean } | null;
  clusters: LabClusterStatus[];
}

/** Pure: the recorded state joined with what is present (netns names) and alive. */
export function computeLabStatus(
  state: LabState,
  netns: readonly string[],
  alive: (rec: { pid: number; startTime: string }) => boolean,
): LabStatus {
  const present = new Set(netns);
  return {
    underlay: state.underlay === null ? null : { cidr: state.underlay.cidr, netns: state.underlay.netns, present: present.has(state.underlay.netns) },
    clusters: state.clusters.map((c) => ({
      name: c.name,
      id: c.id,
      phase: c.phase,
      endpoint: c.endpoint,
      mesh: { enabled: c.mesh?.enabled === true, pkiDir: c.mesh?.pkiDir ?? '' },
      podCIDRs: c.podCIDRs,
      serviceCIDR: c.serviceCIDR,
      routing: c.routing,
      createdAt: c.createdAt,
      hosts: c.hosts.map((h) => ({
        name: h.name,
        role: h.role,
        ip: h.ip,
        netns: h.netns,
        netnsPresent: present.has(h.netns),
        processes: h.processes.map((p) => {
          const url = healthUrlOf(p.name, h.ip, c.endpoint);
          return {
            name: p.name,
            pid: p.pid,
            alive: p.pid !== null && p.startTime !== null && alive({ pid: p.pid, startTime: p.startTime }),
            logFile: p.logFile,
            health: { state: url === '' ? 'none' : 'unchecked', url, error: '' },
          };
        }),
      })),
    })),
  };
}

export function labStatus(): LabStatus {
  return computeLabStatus(readLabState(), listNetns(), isAlive);
}
