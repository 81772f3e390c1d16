/**
 * Deployment and StatefulSet (pure): keep `replicas` pods made from the
 * current template. Pods of an older template are replaced (Recreate).
 * Deployment pods get random names and the newest extras go first;
 * StatefulSet pods are <name>-0 … <name>-(replicas-1).
 */
import type { Deployment, Pod, StatefulSet } from '../model/resources.ts';
import { newestFirst, podHash, templateHash } from './podTemplate.ts';
import type { PlanContext } from './workloadPlan.ts';

export function planDeployment(d: Deployment, owned: readonly Pod[], ctx: PlanContext): void {
  const hash = templateHash(d.spec.template);
  const current = owned.filter((p) => podHash(p) === hash).sort(newestFirst);
  for (const p of owned) if (podHash(p) !== hash) ctx.delete(p, `deployment ${d.metadata.name} has a new pod template`);
  const want = d.spec.replicas;
  for (const p of current.slice(0, Math.max(0, current.length - want))) {
    ctx.delete(p, `deployment ${d.metadata.name} scaled to ${want}`);
  }
  for (let i = current.length; i < want; i++) {
    const name = ctx.uniqueName(d);
    if (name !== undefined) ctx.create(d, name, `deployment ${d.metadata.name} wants ${want} replicas`);
  }
}

export function ordinalName(s: StatefulSet, i: number): string {
  return `${s.metadata.name}-${i}`;
}

export function planStatefulSet(s: StatefulSet, owned: readonly Pod[], ctx: PlanContext): void {
  const hash = templateHash(s.spec.template);
  const want = s.spec.replicas;
  const byName = new Map(owned.map((p) => [p.metadata.name, p]));
  const wanted = new Set<string>();
  for (let i = 0; i < want; i++) {
    const name = ordinalName(s, i);
    wanted.add(name);
    const pod = byName.get(name);
    if (pod !== undefined) {
      // recreated under the same name once the delete is seen
      if (podHash(pod) !== hash) ctx.delete(pod, `statefulset ${s.metadata.name} has a new pod template`);
    } else if (ctx.isDeleting(s.metadata.namespace, name)) {
      // created again on a later pass, once the delete is seen
    } else if (ctx.isTaken(s.metadata.namespace, name)) {
      ctx.problems.push(`statefulset ${s.metadata.namespace}/${s.metadata.name}: pod ${name} exists and is not owned by it`);
    } else {
      ctx.create(s, name, `statefulset ${s.metadata.name} wants ${want} replicas`);
    }
  }
  for (const p of [...owned].sort(newestFirst)) {
    if (!wanted.has(p.metadata.name)) ctx.delete(p, `statefulset ${s.metadata.name} scaled to ${want}`);
  }
}
