/**
 * Values stored under weft/cluster-config, weft/state and weft/status.
 * Every value is JSON validated on read with these schemas.
 */
import { z } from 'zod';

export const RoutingMode = z.enum(['native', 'tunnel']);
export type RoutingMode = z.infer<typeof RoutingMode>;

export const ClusterConfig = z.object({
  id: z.number().int().min(1).max(255),
  name: z.string().min(1).max(32),
  podCIDRs: z.array(z.string()).min(1),
  serviceCIDR: z.string(),
  routingMode: RoutingMode,
  /** Prefix length of each node's PodCIDR carved from podCIDRs. */
  nodeCidrMaskSize: z.number().int().min(8).max(30),
  capabilities: z.array(z.string()),
  /**
   * Network policy: a peer selector without io.cilium.k8s.policy.cluster
   * matches only the local cluster (absent = true, as Cilium >= 1.18's
   * policy-default-local-cluster); false: every cluster of the mesh.
   */
  policyDefaultLocalCluster: z.boolean().optional(),
});
export type ClusterConfig = z.infer<typeof ClusterConfig>;

export const NodeState = z.object({
  name: z.string(),
  cluster: z.string(),
  clusterId: z.number().int(),
  ip: z.string(),
  /** Empty until the operator assigns one. */
  podCIDR: z.string(),
  /** VTEP address (tunnel mode): the node IP that terminates VXLAN. */
  vtep: z.string(),
  bootId: z.string(),
  /** True while the node's agent is running and has synced. */
  ready: z.boolean(),
});
export type NodeState = z.infer<typeof NodeState>;

export const NamedPort = z.object({ name: z.string(), port: z.number().int(), protocol: z.enum(['TCP', 'UDP', 'SCTP']) });

export const EndpointState = z.object({
  ip: z.string(),
  node: z.string(),
  hostIP: z.string(),
  identity: z.number().int(),
  labels: z.record(z.string(), z.string()),
  namedPorts: z.array(NamedPort),
  ready: z.boolean(),
});
export type EndpointState = z.infer<typeof EndpointState>;

/** Value of keys.identity(cluster, id): the security labels of an identity (exported to the mesh). */
export const IdentityState = z.object({ labels: z.record(z.string(), z.string()) });
export type IdentityState = z.infer<typeof IdentityState>;

/** Value of keys.identityIndex(cluster, hash): the identity allocated to that label set (never exported). */
export const IdentityIndexEntry = z.object({ id: z.number().int() });
export type IdentityIndexEntry = z.infer<typeof IdentityIndexEntry>;

export const PodPhase = z.enum(['Pending', 'ContainerCreating', 'Running', 'Failed', 'Terminating']);
export type PodPhase = z.infer<typeof PodPhase>;

export const PodStatus = z.object({
  phase: PodPhase,
  node: z.string(),
  podIP: z.string(),
  hostIP: z.string(),
  /** Process ids of the pod's processes (one per container / port server). */
  pids: z.array(z.number().int()),
  /** Name of the pod's network namespace (ip netns), empty before it exists. */
  netns: z.string(),
  startedAt: z.string(),
  restarts: z.number().int(),
  message: z.string(),
});
export type PodStatus = z.infer<typeof PodStatus>;

/** Value of keys.nodeCidrAllocation(cidr): which node holds a PodCIDR block (written by the operator). */
export const NodeCidrAllocation = z.object({ cidr: z.string(), node: z.string() });
export type NodeCidrAllocation = z.infer<typeof NodeCidrAllocation>;

/** Value of keys.clusterIpAllocation(ip): which service holds a ClusterIP (written by the operator). */
export const ClusterIpAllocation = z.object({ ip: z.string(), namespace: z.string(), name: z.string() });
export type ClusterIpAllocation = z.infer<typeof ClusterIpAllocation>;

export const ServiceProtocol = z.enum(['TCP', 'UDP']);
export type ServiceProtocol = z.infer<typeof ServiceProtocol>;
export const ServiceAffinity = z.enum(['local', 'remote', 'none']);
export type ServiceAffinity = z.infer<typeof ServiceAffinity>;

/** One backend of an exported service: a selected endpoint and its target port per service port name. */
export const ServiceBackend = z.object({
  ip: z.string(),
  node: z.string(),
  ready: z.boolean(),
  /** service port name ('' when the service has one unnamed port) → resolved target port */
  ports: z.record(z.string(), z.number().int()),
});
export type ServiceBackend = z.infer<typeof ServiceBackend>;

/** Value of keys.service(cluster, ns, name): a Service as the operator exports it (exported to the mesh). */
export const ServiceState = z.object({
  name: z.string(),
  namespace: z.string(),
  cluster: z.string(),
  clusterIP: z.string(),
  /** name '' when the service has a single unnamed port */
  ports: z.array(z.object({ name: z.string(), port: z.number().int(), protocol: ServiceProtocol })),
  backends: z.array(ServiceBackend),
  global: z.boolean(),
  shared: z.boolean(),
  affinity: ServiceAffinity,
});
export type ServiceState = z.infer<typeof ServiceState>;
