/** Service frontends for the datapath's tests (unit and integration). */
import type { Frontend, FrontendBackend } from './serviceTypes.ts';

export const be = (ip: string, port: number, cluster = 'c1'): FrontendBackend => ({ ip, port, cluster, preferred: true });

/** A frontend balancing over every backend given (all preferred). */
export function fe(name: string, clusterIP: string, port: number, protocol: 'TCP' | 'UDP', backends: FrontendBackend[], namespace = 'default'): Frontend {
  return { namespace, name, clusterIP, port, protocol, backends, allBackends: backends };
}
