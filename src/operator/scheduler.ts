/**
 * Scheduler (pure): a pod without spec.nodeName goes to the node with the
 * fewest pods among nodes that are ready and have a PodCIDR; ties go to the
 * node whose name sorts first. Pods are placed oldest first.
 */
import type { Pod } from '../model/resources.ts';
import type { NodeState } from '../model/state.ts';

export interface BindAction {
  readonly type: 'bindPod';
  readonly namespace: string;
  readonly name: string;
  readonly node: string;
}

export interface SchedulePlan {
  readonly actions: BindAction[];
  /** `<ns>/<pod>` of pods that found no node. */
  readonly unschedulable: string[];
}

function oldestFirst(a: Pod, b: Pod): number {
  const ka = `${a.metadata.creationTimestamp ?? ''}\u0000${a.metadata.namespace}/${a.metadata.name}`;
  const kb = `${b.metadata.creationTimestamp ?? ''}\u0000${b.metadata.namespace}/${b.metadata.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

export function isSchedulable(n: NodeState): boolean {
  return n.ready && n.podCIDR !== '';
}

export function planScheduling(nodes: readonly NodeState[], pods: readonly Pod[]): SchedulePlan {
  const load = new Map(nodes.filter(isSchedulable).map((n) => [n.name, 0]));
  for (const p of pods) {
    const n = p.spec.nodeName;
    if (n !== undefined && load.has(n)) load.set(n, (load.get(n) ?? 0) + 1);
  }
  const actions: BindAction[] = [];
  const unschedulable: string[] = [];
  for (const pod of pods.filter((p) => p.spec.nodeName === undefined).sort(oldestFirst)) {
    let best: [string, number] | undefined;
    for (const [name, count] of load) {
      if (best === undefined || count < best[1] || (count === best[1] && name < best[0])) best = [name, count];
    }
    if (best === undefined) {
      unschedulable.push(`${pod.metadata.namespace}/${pod.metadata.name}`);
      continue;
    }
    load.set(best[0], best[1] + 1);
    actions.push({ type: 'bindPod', namespace: pod.metadata.namespace, name: pod.metadata.name, node: best[0] });
  }
  return { actions, unschedulable };
}
