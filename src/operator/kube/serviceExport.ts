/**
 * Kubernetes Services and their EndpointSlices (or Endpoints) → the exported
 * ServiceState of each (pure): the same value the standalone services
 * controller writes under keys.service, with the ClusterIP the API server
 * allocated and the mesh settings from the same annotations parser. A
 * Service without a ClusterIP (headless, ExternalName) is not exported;
 * ports other than TCP/UDP are left out (Weft's datapath has no others).
 */
import type { z } from 'zod';
import { keys } from '../../kvstore/keys.ts';
import { formatPath } from '../../model/manifestIssues.ts';
import { ServiceProtocol, type ServiceBackend, type ServiceState } from '../../model/state.ts';
import { readMeshAnnotations } from '../../services/annotations.ts';
import { compareIps } from '../../services/order.ts';
import { HOSTNAME_TOPOLOGY, KubeEndpoints, KubeEndpointSlice, KubeService, SERVICE_NAME_LABEL } from './objects.ts';
import type { KubePort } from './objects.ts';

/** Where the backends come from: discovery.k8s.io EndpointSlices, or v1 Endpoints when the API serves no slices. */
export type BackendObjects = { readonly kind: 'slices'; readonly items: readonly unknown[] } | { readonly kind: 'endpoints'; readonly items: readonly unknown[] };

export interface ServiceExport {
  /** keys.service(cluster, ns, name) → value */
  readonly states: Map<string, ServiceState>;
  /** Objects skipped or settings ignored, each naming the object. */
  readonly problems: string[];
}

interface Port {
  readonly name: string;
  readonly port: number;
  readonly protocol: ServiceProtocol;
}

/** One address with its target port per service port name. */
interface Address {
  readonly ip: string;
  readonly node: string;
  readonly ready: boolean;
  readonly ports: readonly KubePort[];
}

function parseEach<T>(schema: z.ZodType<T>, items: readonly unknown[], what: string, problems: string[]): T[] {
  const out: T[] = [];
  for (const item of items) {
    const r = schema.safeParse(item);
    if (r.success) out.push(r.data);
    else {
      const issue = r.error.issues[0];
      problems.push(`${what} ${objectName(item)}: ${issue === undefined ? 'invalid' : `${formatPath(issue.path)}: ${issue.message}`}; skipped`);
    }
  }
  return out;
}

function objectName(item: unknown): string {
  const meta = typeof item === 'object' && item !== null ? (item as { metadata?: { namespace?: unknown; name?: unknown } }).metadata : undefined;
  return `${typeof meta?.namespace === 'string' ? meta.namespace : '-'}/${typeof meta?.name === 'string' ? meta.name : '?'}`;
}

const protocolOf = (p: string | undefined): string => p ?? 'TCP';

/** Addresses per `<ns>/<service>`. */
function sliceAddresses(items: readonly unknown[], problems: string[]): Map<string, Address[]> {
  const out = new Map<string, Address[]>();
  for (const slice of parseEach(KubeEndpointSlice, items, 'EndpointSlice', problems)) {
    const svc = slice.metadata.labels?.[SERVICE_NAME_LABEL];
    if (svc === undefined || slice.addressType !== 'IPv4') continue;
    const id = `${slice.metadata.namespace ?? ''}/${svc}`;
    const list = out.get(id) ?? [];
    for (const ep of slice.endpoints ?? []) {
      const ip = ep.addresses[0];
      if (ip === undefined) continue;
      const node = ep.nodeName ?? ep.topology?.[HOSTNAME_TOPOLOGY] ?? '';
      list.push({ ip, node, ready: ep.conditions?.ready ?? true, ports: slice.ports ?? [] });
    }
    out.set(id, list);
  }
  return out;
}

function endpointsAddresses(items: readonly unknown[], problems: string[]): Map<string, Address[]> {
  const out = new Map<string, Address[]>();
  for (const e of parseEach(KubeEndpoints, items, 'Endpoints', problems)) {
    const list: Address[] = [];
    for (const subset of e.subsets ?? []) {
      const ports = subset.ports ?? [];
      for (const a of subset.addresses ?? []) list.push({ ip: a.ip, node: a.nodeName ?? '', ready: true, ports });
      for (const a of subset.notReadyAddresses ?? []) list.push({ ip: a.ip, node: a.nodeName ?? '', ready: false, ports });
    }
    out.set(`${e.metadata.namespace ?? ''}/${e.metadata.name}`, list);
  }
  return out;
}

/** The backends of one service: an address per IP (ports of several slices merged), with the target port of each service port. */
export function backendsOf(ports: readonly Port[], addresses: readonly Address[]): ServiceBackend[] {
  const byIp = new Map<string, ServiceBackend>();
  for (const a of addresses) {
    const targets: Record<string, number> = {};
    for (const p of ports) {
      const hit = a.ports.find((x) => (x.name ?? '') === p.name && protocolOf(x.protocol) === p.protocol);
      if (hit?.port !== undefined && hit.port !== null) targets[p.name] = hit.port;
    }
    if (Object.keys(targets).length === 0) continue;
    const seen = byIp.get(a.ip);
    byIp.set(a.ip, seen === undefined ? { ip: a.ip, node: a.node, ready: a.ready, ports: targets } : { ...seen, ready: seen.ready || a.ready, ports: { ...seen.ports, ...targets } });
  }
  return [...byIp.values()].sort((x, y) => compareIps(x.ip, y.ip));
}

export function exportServiceStates(cluster: string, services: readonly unknown[], backends: BackendObjects): ServiceExport {
  const problems: string[] = [];
  const addresses = backends.kind === 'slices' ? sliceAddresses(backends.items, problems) : endpointsAddresses(backends.items, problems);
  const states = new Map<string, ServiceState>();
  for (const svc of parseEach(KubeService, services, 'Service', problems)) {
    const { name } = svc.metadata;
    const namespace = svc.metadata.namespace ?? 'default';
    const clusterIP = svc.spec.clusterIP ?? '';
    if (clusterIP === '' || clusterIP === 'None' || svc.spec.type === 'ExternalName') continue;
    const ports: Port[] = [];
    for (const p of svc.spec.ports ?? []) {
      const protocol = ServiceProtocol.safeParse(protocolOf(p.protocol));
      if (protocol.success) ports.push({ name: p.name ?? '', port: p.port, protocol: protocol.data });
      else problems.push(`Service ${namespace}/${name}: port ${p.port}/${protocolOf(p.protocol)} left out (Weft balances TCP and UDP only)`);
    }
    const mesh = readMeshAnnotations(svc.metadata.annotations ?? {});
    for (const p of mesh.problems) problems.push(`Service ${namespace}/${name}: annotation ${p.key} ${p.message}; the default is used`);
    states.set(keys.service(cluster, namespace, name), {
      name,
      namespace,
      cluster,
      clusterIP,
      ports,
      backends: backendsOf(ports, addresses.get(`${namespace}/${name}`) ?? []),
      global: mesh.settings.global,
      shared: mesh.settings.shared,
      affinity: mesh.settings.affinity,
    });
  }
  return { states, problems };
}
