/**
 * What the connectivity test deploys, as Kubernetes-shaped YAML applied
 * through the same store as `weft apply`: a test namespace, client pods and
 * echo pods pinned to nodes, the services the checks use and the
 * CiliumNetworkPolicy of the policy checks. Pure.
 */
import { stringify } from 'yaml';

export const DEFAULT_TEST_NAMESPACE = 'weft-test';
export const ECHO_PORT = 8080;

export const POD = {
  /** Carries the label the policy allows. */
  client: 'client',
  /** Same as client without that label: the policy denies it. */
  client2: 'client2',
  echoSameNode: 'echo-same-node',
  echoOtherNode: 'echo-other-node',
  echoOtherCluster: 'echo-other-cluster',
} as const;

export const SERVICE = {
  /** Every echo pod of the cluster. */
  local: 'echo',
  /** service.cilium.io/global: every echo pod of both clusters. */
  global: 'echo-global',
  /** Global with service.cilium.io/affinity: local; one backend per cluster. */
  affinity: 'echo-affinity',
} as const;

export const POLICY_NAME = 'echo-allow-client';
/** The label the policy allows, carried by POD.client only. */
export const ALLOWED_LABEL = { key: 'access', value: 'allowed' } as const;
const AFFINITY_LABEL = { key: 'failover', value: 'backend' } as const;

export interface PodPlan {
  readonly name: string;
  readonly node: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Runs the built-in echo server on ECHO_PORT. */
  readonly echo: boolean;
}

export interface ServicePlan {
  readonly name: string;
  readonly selector: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface ClusterPlan {
  readonly pods: readonly PodPlan[];
  readonly services: readonly ServicePlan[];
}

export interface DeploymentPlan {
  readonly namespace: string;
  readonly local: ClusterPlan;
  readonly remote: ClusterPlan | undefined;
  /** The local pod behind SERVICE.affinity (removed and restored by affinity/failover). */
  readonly affinityBackend: string;
}

export interface PlanInput {
  readonly namespace: string;
  /** Node names of the first cluster (at least one). */
  readonly localNodes: readonly string[];
  /** Node names of the second cluster; undefined without --multi-cluster. */
  readonly remoteNodes: readonly string[] | undefined;
}

function echoPod(name: string, node: string, extra: Record<string, string> = {}): PodPlan {
  return { name, node, labels: { kind: 'echo', name, ...extra }, echo: true };
}

const GLOBAL = { 'service.cilium.io/global': 'true' };

function globalServices(): ServicePlan[] {
  return [
    { name: SERVICE.global, selector: { kind: 'echo' }, annotations: GLOBAL },
    { name: SERVICE.affinity, selector: { [AFFINITY_LABEL.key]: AFFINITY_LABEL.value }, annotations: { ...GLOBAL, 'service.cilium.io/affinity': 'local' } },
  ];
}

export function planDeployment(input: PlanInput): DeploymentPlan {
  const [n1, n2] = input.localNodes;
  if (n1 === undefined) throw new Error('planDeployment: the cluster has no node');
  const multi = input.remoteNodes !== undefined;
  const affinityBackend = n2 === undefined ? POD.echoSameNode : POD.echoOtherNode;
  const affinity = (name: string): Record<string, string> => (multi && name === affinityBackend ? { [AFFINITY_LABEL.key]: AFFINITY_LABEL.value } : {});
  const pods: PodPlan[] = [
    { name: POD.client, node: n1, labels: { kind: 'client', name: POD.client, [ALLOWED_LABEL.key]: ALLOWED_LABEL.value }, echo: false },
    { name: POD.client2, node: n1, labels: { kind: 'client', name: POD.client2 }, echo: false },
    echoPod(POD.echoSameNode, n1, affinity(POD.echoSameNode)),
  ];
  if (n2 !== undefined) pods.push(echoPod(POD.echoOtherNode, n2, affinity(POD.echoOtherNode)));
  const services: ServicePlan[] = [{ name: SERVICE.local, selector: { kind: 'echo' }, annotations: {} }, ...(multi ? globalServices() : [])];
  let remote: ClusterPlan | undefined;
  const r1 = input.remoteNodes?.[0];
  if (input.remoteNodes !== undefined) {
    if (r1 === undefined) throw new Error('planDeployment: the second cluster has no node');
    remote = { pods: [echoPod(POD.echoOtherCluster, r1, { [AFFINITY_LABEL.key]: AFFINITY_LABEL.value })], services: globalServices() };
  }
  return { namespace: input.namespace, local: { pods, services }, remote, affinityBackend };
}

/** Marks the namespace as the test's own (only such a namespace is ever deleted by the test). */
export const TEST_NAMESPACE_LABEL = { key: 'app.kubernetes.io/part-of', value: 'weft-connectivity-test' } as const;

export function namespaceDoc(namespace: string): object {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { [TEST_NAMESPACE_LABEL.key]: TEST_NAMESPACE_LABEL.value } } };
}

export function podDoc(namespace: string, p: PodPlan): object {
  const container = p.echo
    ? { name: 'echo', image: 'weft/echo', ports: [{ containerPort: ECHO_PORT, name: 'http', protocol: 'TCP' }] }
    : { name: 'client', image: 'weft/client' };
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: p.name, namespace, labels: { ...p.labels } }, spec: { nodeName: p.node, containers: [container] } };
}

export function serviceDoc(namespace: string, s: ServicePlan): object {
  const metadata = { name: s.name, namespace, ...(Object.keys(s.annotations).length > 0 ? { annotations: { ...s.annotations } } : {}) };
  return { apiVersion: 'v1', kind: 'Service', metadata, spec: { type: 'ClusterIP', selector: { ...s.selector }, ports: [{ name: 'http', port: ECHO_PORT, targetPort: ECHO_PORT, protocol: 'TCP' }] } };
}

/** Documented Cilium YAML: echo-same-node accepts ECHO_PORT/TCP only from endpoints with ALLOWED_LABEL. */
export function policyDoc(namespace: string): object {
  return {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: POLICY_NAME, namespace },
    spec: {
      endpointSelector: { matchLabels: { name: POD.echoSameNode } },
      ingress: [{ fromEndpoints: [{ matchLabels: { [ALLOWED_LABEL.key]: ALLOWED_LABEL.value } }], toPorts: [{ ports: [{ port: String(ECHO_PORT), protocol: 'TCP' }] }] }],
    },
  };
}

/** Multi-document YAML, as a user would write it. */
export function toYaml(docs: readonly object[]): string {
  return docs.map((d) => stringify(d)).join('---\n');
}

/** The namespace, pods and services of one cluster. */
export function clusterYaml(namespace: string, plan: ClusterPlan): string {
  return toYaml([namespaceDoc(namespace), ...plan.pods.map((p) => podDoc(namespace, p)), ...plan.services.map((s) => serviceDoc(namespace, s))]);
}
