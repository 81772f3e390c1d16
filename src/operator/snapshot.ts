/**
 * What the operator's controllers decide from: the cluster's config, nodes,
 * PodCIDR allocations and workload objects, as read from its watch stores.
 */
import type { ClusterConfig, NodeState } from '../model/state.ts';
import type { DaemonSet, Deployment, Pod, StatefulSet } from '../model/resources.ts';

export interface OperatorSnapshot {
  readonly config: ClusterConfig | undefined;
  readonly nodes: readonly NodeState[];
  /** PodCIDR block → node holding it (keys.nodeCidrAllocation). */
  readonly allocations: ReadonlyMap<string, string>;
  readonly pods: readonly Pod[];
  readonly deployments: readonly Deployment[];
  readonly daemonSets: readonly DaemonSet[];
  readonly statefulSets: readonly StatefulSet[];
}

/** `<namespace>/<name>` */
export function podId(pod: Pod): string {
  return `${pod.metadata.namespace}/${pod.metadata.name}`;
}
