/**
 * One operator pass (pure): IPAM, then workloads, then scheduling on the pod
 * set the workload actions leave behind. A pod created and scheduled in the
 * same pass is written once, with its nodeName.
 */
import type { Pod } from '../model/resources.ts';
import { planIpam } from './ipam.ts';
import type { IpamAction } from './ipam.ts';
import { planScheduling } from './scheduler.ts';
import type { BindAction } from './scheduler.ts';
import type { OperatorSnapshot } from './snapshot.ts';
import { podId } from './snapshot.ts';
import { planWorkloads } from './workloads.ts';
import type { WorkloadAction } from './workloads.ts';

export type OperatorAction = IpamAction | WorkloadAction | BindAction;

export interface OperatorPlan {
  /** In the order to apply: IPAM, pod deletions, pod creations, bindings. */
  readonly actions: OperatorAction[];
  readonly problems: string[];
  readonly unschedulable: string[];
}

export function planOperator(s: OperatorSnapshot, now: string, randomSuffix: () => string): OperatorPlan {
  const problems: string[] = [];
  let ipam: IpamAction[] = [];
  if (s.config === undefined) {
    problems.push('waiting for the cluster config (weft/cluster-config/<cluster>) before assigning PodCIDRs');
  } else {
    const plan = planIpam({ config: s.config, nodes: s.nodes, allocations: s.allocations });
    ipam = plan.actions;
    problems.push(...plan.problems);
  }

  const workloads = planWorkloads({ ...s, now, randomSuffix });
  problems.push(...workloads.problems);
  const deleted = new Set<string>();
  const created: Pod[] = [];
  for (const a of workloads.actions) {
    if (a.type === 'deletePod') deleted.add(`${a.namespace}/${a.name}`);
    else created.push(a.pod);
  }
  const podsAfter = [...s.pods.filter((p) => !deleted.has(podId(p))), ...created];
  const schedule = planScheduling(s.nodes, podsAfter);

  const bindFor = new Map(schedule.actions.map((b) => [`${b.namespace}/${b.name}`, b.node]));
  const createdIds = new Set(created.map(podId));
  const creates: WorkloadAction[] = [];
  const deletes: WorkloadAction[] = [];
  for (const a of workloads.actions) {
    if (a.type === 'deletePod') {
      deletes.push(a);
      continue;
    }
    const node = bindFor.get(podId(a.pod));
    creates.push(node === undefined ? a : { ...a, pod: { ...a.pod, spec: { ...a.pod.spec, nodeName: node } } });
  }
  const binds = schedule.actions.filter((b) => !createdIds.has(`${b.namespace}/${b.name}`));
  return { actions: [...ipam, ...deletes, ...creates, ...binds], problems, unschedulable: schedule.unschedulable };
}
