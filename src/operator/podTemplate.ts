/**
 * Pods made from a workload's template: name, labels and annotations from
 * the template, an owner reference, and the template's hash in an annotation
 * so a changed template is noticed.
 */
import { createHash, randomInt } from 'node:crypto';
import { canonicalJson } from '../model/canonicalJson.ts';
import type { Pod, PodTemplate, Workload } from '../model/resources.ts';

/** Annotation holding the hash of the template a pod was made from. */
export const TEMPLATE_HASH_ANNOTATION = 'weft.io/pod-template-hash';

/** Kinds whose pods the operator owns. */
export const WORKLOAD_KINDS: readonly string[] = ['Deployment', 'DaemonSet', 'StatefulSet'];

export function templateHash(template: PodTemplate): string {
  return createHash('sha256').update(canonicalJson(template)).digest('hex').slice(0, 10);
}

/** Kubernetes' generateName alphabet: lowercase consonants and digits (no accidental words). */
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function randomSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return s;
}

/** `<base>-<suffix>` with base cut so the name stays a valid object name. */
export function generatedName(base: string, suffix: string): string {
  return `${base.length > 57 ? base.slice(0, 57) : base}-${suffix}`;
}

/** The workload owning a pod: `<namespace>/<Kind>/<name>`, or undefined for a pod no workload owns. */
export function ownerId(pod: Pod): string | undefined {
  const ref = pod.metadata.ownerReferences?.find((r) => WORKLOAD_KINDS.includes(r.kind));
  return ref === undefined ? undefined : `${pod.metadata.namespace}/${ref.kind}/${ref.name}`;
}

export function workloadId(w: Workload): string {
  return `${w.metadata.namespace}/${w.kind}/${w.metadata.name}`;
}

export function podHash(pod: Pod): string | undefined {
  return pod.metadata.annotations[TEMPLATE_HASH_ANNOTATION];
}

export function podFromTemplate(owner: Workload, name: string, hash: string, now: string, nodeName?: string): Pod {
  const t = owner.spec.template;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: owner.metadata.namespace,
      labels: { ...t.metadata.labels },
      annotations: { ...t.metadata.annotations, [TEMPLATE_HASH_ANNOTATION]: hash },
      ownerReferences: [{ kind: owner.kind, name: owner.metadata.name }],
      creationTimestamp: now,
    },
    spec: nodeName === undefined ? { ...t.spec } : { ...t.spec, nodeName },
  };
}

/** Newest first: creationTimestamp descending, then name descending. */
export function newestFirst(a: Pod, b: Pod): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? 1 : -1;
  return a.metadata.name < b.metadata.name ? 1 : a.metadata.name > b.metadata.name ? -1 : 0;
}
