/**
 * `weft lab status`: what the lab state records, checked against the machine
 * (netns present, recorded processes alive).
 */
import { isAlive } from '../util/proc.ts';
import { listNetns } from './netns.ts';
import { readLabState } from './state.ts';
import type { LabClusterPhase, LabHostState, LabState } from './state.ts';
import type { LabProcessName } from './plan.ts';

export interface LabProcessStatus {
  name: LabProcessName;
  pid: number | null;
  alive: boolean;
  logFile: string;
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
        processes: h.processes.map((p) => ({
          name: p.name,
          pid: p.pid,
          alive: p.pid !== null && p.startTime !== null && alive({ pid: p.pid, startTime: p.startTime }),
          logFile: p.logFile,
        })),
      })),
    })),
  };
}

export function labStatus(): LabStatus {
  return computeLabStatus(readLabState(), listNetns(), isAlive);
}
