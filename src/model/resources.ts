/**
 * The resource kinds Weft accepts, as one union. To add a kind: write
 * kinds/<kind>.ts (schema + KindDef), add its type here and its KindDef to
 * kindRegistry.ts.
 */
import type { Namespace } from './kinds/namespace.ts';
import type { Pod } from './kinds/pod.ts';
import type { Deployment } from './kinds/deployment.ts';
import type { DaemonSet } from './kinds/daemonSet.ts';
import type { StatefulSet } from './kinds/statefulSet.ts';
import type { Service } from './kinds/service.ts';
import type { ConfigMap } from './kinds/configMap.ts';
import type { CiliumNetworkPolicy } from './kinds/ciliumNetworkPolicy.ts';
import type { NetworkPolicy } from './kinds/networkPolicy.ts';

export type { Namespace } from './kinds/namespace.ts';
export type { Pod } from './kinds/pod.ts';
export type { Deployment } from './kinds/deployment.ts';
export type { DaemonSet } from './kinds/daemonSet.ts';
export type { StatefulSet } from './kinds/statefulSet.ts';
export type { Service, ServicePort } from './kinds/service.ts';
export type { ConfigMap } from './kinds/configMap.ts';
export type { CiliumNetworkPolicy } from './kinds/ciliumNetworkPolicy.ts';
export type { NetworkPolicy } from './kinds/networkPolicy.ts';
export type { ObjectMeta, OwnerReference, ResourceBase } from './meta.ts';
export type { PodSpec, Container, ContainerPort, EnvVar } from './podSpec.ts';
export type { Volume, VolumeMount } from './volumes.ts';
export type { PodTemplate, LabelSelector } from './workloadSpec.ts';

/** A validated, normalized object (defaults filled in) as stored in etcd. */
export type Resource = Namespace | Pod | Deployment | DaemonSet | StatefulSet | Service | ConfigMap | CiliumNetworkPolicy | NetworkPolicy;

/** Kinds that own pods. */
export type Workload = Deployment | DaemonSet | StatefulSet;
