/** Builders for the services unit tests. */
import type { Service } from '../model/kinds/service.ts';
import { ServiceSchema } from '../model/kinds/service.ts';
import type { EndpointState, ServiceBackend, ServiceState } from '../model/state.ts';
import type { NamespacedEndpoint } from './backends.ts';

/** A validated Service from the fields of its manifest. */
export function service(name: string, spec: Record<string, unknown>, meta: { namespace?: string; annotations?: Record<string, string>; creationTimestamp?: string } = {}): Service {
  return ServiceSchema.parse({ apiVersion: 'v1', kind: 'Service', metadata: { name, ...meta }, spec });
}

export function endpoint(namespace: string, ip: string, labels: Record<string, string>, more: Partial<EndpointState> = {}): NamespacedEndpoint {
  return { namespace, endpoint: { ip, node: 'n1', hostIP: '172.30.1.11', identity: 0, labels, namedPorts: [], ready: true, ...more } };
}

export function backend(ip: string, ports: Record<string, number>, ready = true, node = 'n1'): ServiceBackend {
  return { ip, node, ready, ports };
}

export function state(cluster: string, name: string, clusterIP: string, backends: ServiceBackend[], more: Partial<ServiceState> = {}): ServiceState {
  return { name, namespace: 'default', cluster, clusterIP, ports: [{ name: '', port: 80, protocol: 'TCP' }], backends, global: true, shared: true, affinity: 'none', ...more };
}
