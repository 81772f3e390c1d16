/**
 * Fixtures of the policy unit tests: seed 003's CiliumNetworkPolicy exactly
 * as the seed gives it (§4.3, l4-policy.yaml), identities and endpoints.
 */
import { parseManifests } from '../model/manifest.ts';
import { keyOfResource } from '../model/kindRegistry.ts';
import type { LocalEndpoint } from './compile.ts';
import { cnpToPolicies, normalizeNp } from './normalize.ts';
import type { NormalizedPolicy } from './normalize.ts';
import { clusterIdentity, LABEL } from './types.ts';
import type { IdentityInfo } from './types.ts';

export const SEED_003_CNP = `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "clustermesh-ingress-l4-policy"
  description: "demo: allow only employee to access protected-db"
spec:
  endpointSelector:
    matchLabels:
      app: protected-db
      io.cilium.k8s.policy.cluster: cluster1
  ingress:
  - toPorts:
    - ports:
      - port: "6379"
        protocol: TCP
    fromEndpoints:
      - matchLabels:
          app: employee
          io.cilium.k8s.policy.cluster: cluster2
          k8s:io.kubernetes.pod.namespace: istio-space
      - matchLabels:
          app: employee
          # io.cilium.k8s.policy.cluster: cluster1
          k8s:io.kubernetes.pod.namespace: default
`;

/** Every policy of a manifest text, normalized (as the agent would get them from the store). */
export function policiesOf(yaml: string): NormalizedPolicy[] {
  return parseManifests(yaml).flatMap((r) => {
    if (r.kind === 'CiliumNetworkPolicy') return cnpToPolicies(r, keyOfResource(r));
    if (r.kind === 'NetworkPolicy') return [normalizeNp(r, keyOfResource(r))];
    return [];
  });
}

export const CLUSTER_IDS: Readonly<Record<string, number>> = { cluster1: 1, cluster2: 2, cluster3: 3 };

/** Identity labels as the agent builds them (namespace labels: kubernetes.io/metadata.name plus `nsLabels`). */
export function identityLabels(cluster: string, namespace: string, labels: Record<string, string>, nsLabels: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = { ...labels, [LABEL.namespace]: namespace, [LABEL.cluster]: cluster };
  for (const [k, v] of Object.entries({ 'kubernetes.io/metadata.name': namespace, ...nsLabels })) out[`${LABEL.namespaceLabelsPrefix}${k}`] = v;
  return out;
}

export function identity(cluster: string, local: number, namespace: string, labels: Record<string, string>, nsLabels: Record<string, string> = {}): IdentityInfo {
  return { id: clusterIdentity(CLUSTER_IDS[cluster] ?? 9, local), cluster, labels: identityLabels(cluster, namespace, labels, nsLabels) };
}

export function endpointOf(info: IdentityInfo, pod: string, ip: string, namedPorts: LocalEndpoint['namedPorts'] = []): LocalEndpoint {
  return { namespace: info.labels[LABEL.namespace] ?? 'default', pod, ip, identity: info.id, labels: info.labels, namedPorts };
}

/** Seed 003's pods: protected-db, employee and stranger in cluster1/default, employee in cluster2/istio-space. */
export const SEED_003 = {
  db: identity('cluster1', 256, 'default', { app: 'protected-db' }),
  employee1: identity('cluster1', 257, 'default', { app: 'employee' }),
  stranger1: identity('cluster1', 258, 'default', { app: 'stranger' }),
  employee2: identity('cluster2', 256, 'istio-space', { app: 'employee' }),
  /** Not in the seed: an employee of cluster2's default namespace (matched only when the option is false). */
  employee2default: identity('cluster2', 257, 'default', { app: 'employee' }),
};
