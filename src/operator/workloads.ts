/**
 * Workloads (pure): Deployments, DaemonSets and StatefulSets → the pod
 * creations and deletions that make the pods match them. Pods whose owner is
 * gone are deleted, and so are owned pods bound to a node that is gone (its
 * PodCIDR is released, their IPs are no longer valid).
 */
import type { DaemonSet, Deployment, Pod, StatefulSet, Workload } from '../model/resources.ts';
import type { NodeState } from '../model/state.ts';
import { planDaemonSet } from './daemonSetPlan.ts';
import { ownerId, workloadId } from './podTemplate.ts';
import { planDeployment, planStatefulSet } from './replicaPlans.ts';
import { PlanContext } from './workloadPlan.ts';
import type { WorkloadAction } from './workloadPlan.ts';

export type { WorkloadAction } from './workloadPlan.ts';

export interface WorkloadInput {
  readonly deployments: readonly Deployment[];
  readonly daemonSets: readonly DaemonSet[];
  readonly statefulSets: readonly StatefulSet[];
  readonly pods: readonly Pod[];
  readonly nodes: readonly NodeState[];
  /** creationTimestamp of new pods (ISO 8601). */
  readonly now: string;
  /** 5 characters of [a-z0-9] for generated pod names. */
  readonly randomSuffix: () => string;
}

export interface WorkloadPlan {
  readonly actions: WorkloadAction[];
  readonly problems: string[];
}

export function planWorkloads(input: WorkloadInput): WorkloadPlan {
  const ctx = new PlanContext(input.pods, input.now, input.randomSuffix);
  const workloads: Workload[] = [...input.deployments, ...input.daemonSets, ...input.statefulSets];
  const known = new Set(workloads.map(workloadId));
  const nodes = new Set(input.nodes.map((n) => n.name));
  const owned = new Map<string, Pod[]>();
  for (const pod of input.pods) {
    const owner = ownerId(pod);
    if (owner === undefined) continue;
    if (!known.has(owner)) {
      ctx.delete(pod, `its owner ${owner} is gone`);
    } else if (pod.spec.nodeName !== undefined && !nodes.has(pod.spec.nodeName)) {
      ctx.delete(pod, `its node ${pod.spec.nodeName} is gone`);
    } else {
      owned.set(owner, [...(owned.get(owner) ?? []), pod]);
    }
  }
  for (const w of workloads) {
    const pods = owned.get(workloadId(w)) ?? [];
    switch (w.kind) {
      case 'Deployment':
        planDeployment(w, pods, ctx);
        break;
      case 'StatefulSet':
        planStatefulSet(w, pods, ctx);
        break;
      case 'DaemonSet':
        planDaemonSet(w, pods, input.nodes, ctx);
        break;
    }
  }
  return { actions: ctx.actions, problems: ctx.problems };
}
