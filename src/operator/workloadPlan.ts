/**
 * What the workload planners share: the actions they return and a context
 * that hands out unique pod names and collects actions.
 */
import type { Pod, Workload } from '../model/resources.ts';
import { generatedName, podFromTemplate, templateHash } from './podTemplate.ts';

export type WorkloadAction =
  | { readonly type: 'createPod'; readonly pod: Pod; readonly reason: string }
  | { readonly type: 'deletePod'; readonly namespace: string; readonly name: string; readonly reason: string };

export class PlanContext {
  readonly actions: WorkloadAction[] = [];
  readonly problems: string[] = [];
  readonly now: string;
  readonly #taken: Set<string>;
  readonly #deleting = new Set<string>();
  readonly #random: () => string;

  constructor(pods: readonly Pod[], now: string, random: () => string) {
    this.now = now;
    this.#random = random;
    this.#taken = new Set(pods.map((p) => `${p.metadata.namespace}/${p.metadata.name}`));
  }

  isTaken(namespace: string, name: string): boolean {
    return this.#taken.has(`${namespace}/${name}`);
  }

  /** True when this pass deletes that pod (its name frees up on a later pass). */
  isDeleting(namespace: string, name: string): boolean {
    return this.#deleting.has(`${namespace}/${name}`);
  }

  /** A fresh `<owner>-<5 random>` name not used by any pod of the namespace. */
  uniqueName(owner: Workload): string | undefined {
    for (let i = 0; i < 20; i++) {
      const name = generatedName(owner.metadata.name, this.#random());
      if (!this.isTaken(owner.metadata.namespace, name)) return name;
    }
    this.problems.push(`could not find a free pod name for ${owner.kind} ${owner.metadata.namespace}/${owner.metadata.name}`);
    return undefined;
  }

  create(owner: Workload, name: string, reason: string, nodeName?: string): void {
    this.#taken.add(`${owner.metadata.namespace}/${name}`);
    const pod = podFromTemplate(owner, name, templateHash(owner.spec.template), this.now, nodeName);
    this.actions.push({ type: 'createPod', pod, reason });
  }

  delete(pod: Pod, reason: string): void {
    this.#deleting.add(`${pod.metadata.namespace}/${pod.metadata.name}`);
    this.actions.push({ type: 'deletePod', namespace: pod.metadata.namespace, name: pod.metadata.name, reason });
  }
}
