/**
 * The exported value of a Service (pure): what keys.service(cluster, ns,
 * name) holds once the operator has given it a ClusterIP.
 */
import type { Service } from '../model/kinds/service.ts';
import type { ServiceState } from '../model/state.ts';
import { meshAnnotations } from './annotations.ts';
import { serviceBackends } from './backends.ts';
import type { NamespacedEndpoint } from './backends.ts';

export function exportedServiceState(service: Service, cluster: string, clusterIP: string, endpoints: readonly NamespacedEndpoint[]): ServiceState {
  const mesh = meshAnnotations(service.metadata.annotations);
  return {
    name: service.metadata.name,
    namespace: service.metadata.namespace,
    cluster,
    clusterIP,
    ports: service.spec.ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol })),
    backends: serviceBackends(service, endpoints),
    global: mesh.global,
    shared: mesh.shared,
    affinity: mesh.affinity,
  };
}
