/**
 * `weft lab status`'s health column (I/O): every running process's health
 * endpoint asked in parallel — etcd's own /health (with the cluster's admin
 * certificate once the mesh is enabled: checked before any https probe, as
 * etcd over https answers only a client certificate), the agents' and
 * operators' /healthz, the Kubernetes components' /healthz. A process that is not running is failing without a request.
 */
import { errorMessage } from '../errors.ts';
import { probeHealthz } from '../observe/daemonProbe.ts';
import { probeEtcdHealth } from './etcdHealth.ts';
import { clusterEtcdTls, readLabState } from './state.ts';
import type { LabClusterState, LabState } from './state.ts';
import { readFileSync } from 'node:fs';
import { probeTlsHealthz } from '../kube/health.ts';
import type { ClientPem } from '../kube/health.ts';
import { APISERVER_PORT } from '../kube/layout.ts';
import { caFiles, readPemPair } from '../pki/files.ts';
import type { LabProcessHealth, LabProcessStatus, LabStatus } from './status.ts';
import { labStatus } from './status.ts';

/** The cluster's Kubernetes CA (verifies the API server), or undefined when unreadable. */
function kubeCaPem(c: LabClusterState | undefined): string | undefined {
  if (c?.kubernetes === undefined) return undefined;
  try {
    return readFileSync(caFiles(c.kubernetes.pkiDir).certFile, 'utf8');
  } catch {
    return undefined;
  }
}

/** The cluster's Kubernetes admin client certificate (the API server's per-check health paths need a user), or undefined. */
function kubeAdminPem(c: LabClusterState | undefined): ClientPem | undefined {
  if (c?.kubernetes === undefined) return undefined;
  return readPemPair(c.kubernetes.pkiDir, 'admin');
}

export type HealthProber = (p: LabProcessStatus, cluster: string) => Promise<LabProcessHealth>;

/** The prober of a lab: etcd through its /health (mTLS once enabled), daemons through /healthz. */
export function labHealthProber(state: LabState): HealthProber {
  return async (p, cluster) => {
    const { url } = p.health;
    if (url === '') return p.health;
    if (!p.alive) return { state: 'failing', url, error: 'not running' };
    const c = state.clusters.find((x) => x.name === cluster);
    if (p.name === 'etcd') {
      try {
        const body = await probeEtcdHealth(url.replace(/\/health$/, ''), c === undefined ? undefined : clusterEtcdTls(c));
        return body.health === 'true' ? { state: 'ok', url, error: '' } : { state: 'failing', url, error: `${url}: health=${String(body.health)}${body.reason === undefined ? '' : ` (${body.reason})`}` };
      } catch (err) {
        return { state: 'failing', url, error: `${url}: ${errorMessage(err)}` };
      }
    }
    if (url.startsWith('https://')) {
      const api = url.includes(`:${APISERVER_PORT}/`);
      const r = await probeTlsHealthz(url, api ? kubeCaPem(c) : undefined, undefined, api ? kubeAdminPem(c) : undefined);
      return { state: r.ok ? 'ok' : 'failing', url, error: r.error };
    }
    const r = await probeHealthz(url);
    return { state: r.ok ? 'ok' : 'failing', url, error: r.error };
  };
}

/** The status with every process's health filled in. */
export async function withHealth(status: LabStatus, probe: HealthProber): Promise<LabStatus> {
  return {
    ...status,
    clusters: await Promise.all(
      status.clusters.map(async (c) => ({
        ...c,
        hosts: await Promise.all(c.hosts.map(async (h) => ({ ...h, processes: await Promise.all(h.processes.map(async (p) => ({ ...p, health: await probe(p, c.name) }))) }))),
      })),
    ),
  };
}

export async function labStatusWithHealth(): Promise<LabStatus> {
  return withHealth(labStatus(), labHealthProber(readLabState()));
}
