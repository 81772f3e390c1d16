/**
 * A Service's backends (pure): the endpoints of its namespace whose labels
 * match its selector, each with the target port of every service port. A
 * named targetPort is resolved per endpoint through its named container
 * ports (same name and protocol); an endpoint lacking it has no port under
 * that service port name, and an endpoint with no port at all is skipped.
 */
import type { Service } from '../model/kinds/service.ts';
import type { EndpointState, ServiceBackend } from '../model/state.ts';
import { compareIps } from './order.ts';

/** An endpoint of the cluster with the namespace its key names. */
export interface NamespacedEndpoint {
  readonly namespace: string;
  readonly endpoint: EndpointState;
}

/** Every selector label is on the endpoint; an empty selector selects nothing (as in Kubernetes). */
export function selectorMatches(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

/** The target port of one service port on one endpoint, undefined when the endpoint lacks the named port. */
export function resolveTargetPort(port: Service['spec']['ports'][number], ep: EndpointState): number | undefined {
  if (typeof port.targetPort === 'number') return port.targetPort;
  return ep.namedPorts.find((n) => n.name === port.targetPort && n.protocol === port.protocol)?.port;
}

export function serviceBackends(service: Service, endpoints: readonly NamespacedEndpoint[]): ServiceBackend[] {
  const out: ServiceBackend[] = [];
  for (const { namespace, endpoint } of endpoints) {
    if (namespace !== service.metadata.namespace || endpoint.ip === '') continue;
    if (!selectorMatches(service.spec.selector, endpoint.labels)) continue;
    const ports: Record<string, number> = {};
    for (const p of service.spec.ports) {
      const target = resolveTargetPort(p, endpoint);
      if (target !== undefined) ports[p.name] = target;
    }
    if (Object.keys(ports).length === 0) continue;
    out.push({ ip: endpoint.ip, node: endpoint.node, ready: endpoint.ready, ports });
  }
  return out.sort((a, b) => compareIps(a.ip, b.ip));
}
