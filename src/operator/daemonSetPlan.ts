/**
 * DaemonSet (pure): one pod per node that has a PodCIDR, bound to it with
 * spec.nodeName; pods of an older template are replaced; pods on nodes that
 * no longer qualify are deleted.
 */
import type { DaemonSet, Pod } from '../model/resources.ts';
import type { NodeState } from '../model/state.ts';
import { newestFirst, podHash, templateHash } from './podTemplate.ts';
import type { PlanContext } from './workloadPlan.ts';

export function planDaemonSet(ds: DaemonSet, owned: readonly Pod[], nodes: readonly NodeState[], ctx: PlanContext): void {
  const hash = templateHash(ds.spec.template);
  const targets = new Set(nodes.filter((n) => n.podCIDR !== '').map((n) => n.name));
  const onNode = new Map<string, Pod[]>();
  for (const p of [...owned].sort(newestFirst)) {
    const node = p.spec.nodeName;
    if (node === undefined || !targets.has(node)) {
      ctx.delete(p, `daemonset ${ds.metadata.name} does not run on node ${node ?? '(none)'}`);
    } else if (podHash(p) !== hash) {
      ctx.delete(p, `daemonset ${ds.metadata.name} has a new pod template`);
    } else {
      onNode.set(node, [...(onNode.get(node) ?? []), p]);
    }
  }
  for (const node of [...targets].sort()) {
    const pods = onNode.get(node) ?? [];
    // keep the oldest one; the list is newest first
    for (const extra of pods.slice(0, -1)) ctx.delete(extra, `daemonset ${ds.metadata.name} runs one pod on node ${node}`);
    if (pods.length === 0) {
      const name = ctx.uniqueName(ds);
      if (name !== undefined) ctx.create(ds, name, `daemonset ${ds.metadata.name} runs on node ${node}`, node);
    }
  }
}
