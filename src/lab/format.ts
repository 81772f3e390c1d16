/**
 * Human output of `weft lab status` and `weft lab process`.
 */
import Table from 'cli-table3';
import { KUBE_PROCESS_NAMES, LAB_PROCESS_NAMES } from './plan.ts';
import type { LabProcessHealth, LabProcessStatus, LabStatus } from './status.ts';

export function mark(ok: boolean): string {
  return ok ? '✅' : '❌';
}

export function formatProcessCell(p: LabProcessStatus): string {
  return `${mark(p.alive)} ${p.pid ?? '-'}`;
}

const HEALTH_MARK: Readonly<Record<LabProcessHealth['state'], string>> = { ok: '✅', failing: '❌', unchecked: '?', none: '-' };

/** The HEALTH cell of a host: each process's health endpoint (`etcd ✅ operator ✅`; `-` where a process has none). */
export function formatHealthCell(processes: readonly LabProcessStatus[]): string {
  return processes.map((p) => `${p.name} ${HEALTH_MARK[p.health.state]}`).join(' ');
}

export function formatLabStatus(status: LabStatus): string {
  if (status.clusters.length === 0) return 'No lab clusters. Create one with `weft lab up --name c1 --id 1 …`.';
  // The Kubernetes control plane's columns only when a cluster runs one.
  const kube = status.clusters.some((c) => c.hosts.some((h) => h.processes.some((p) => (KUBE_PROCESS_NAMES as readonly string[]).includes(p.name))));
  const PROCESS_COLUMNS = kube ? LAB_PROCESS_NAMES : LAB_PROCESS_NAMES.filter((n) => !(KUBE_PROCESS_NAMES as readonly string[]).includes(n));
  const table = new Table({
    head: ['CLUSTER', 'ID', 'PHASE', 'HOST', 'IP', 'NETNS', ...PROCESS_COLUMNS.map((p) => p.toUpperCase()), 'HEALTH'],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const c of status.clusters) {
    for (const h of c.hosts) {
      const cells = PROCESS_COLUMNS.map((name) => {
        const p = h.processes.find((x) => x.name === name);
        return p === undefined ? '' : formatProcessCell(p);
      });
      table.push([c.name, String(c.id), c.phase, h.name, h.ip, `${mark(h.netnsPresent)} ${h.netns}`, ...cells, formatHealthCell(h.processes)]);
    }
  }
  const underlay =
    status.underlay === null ? 'Underlay: none' : `Underlay: ${status.underlay.cidr} (netns ${status.underlay.netns} ${mark(status.underlay.present)})`;
  const endpoints = status.clusters.map((c) => `  ${c.name}: etcd ${c.endpoint}${c.mesh.enabled ? ' (mTLS + RBAC, clustermesh enabled)' : ''}, pods ${c.podCIDRs.join(',')}, services ${c.serviceCIDR}, ${c.routing}`);
  return [underlay, table.toString(), ...endpoints].join('\n');
}
