/**
 * The security labels of an endpoint (pure): what its identity is made of,
 * as Cilium derives them — the pod's labels minus the ones that differ
 * between replicas of one workload, plus the namespace, the cluster and the
 * Namespace object's own labels. Keys are plain (no `k8s:` source prefix).
 */
import { createHash } from 'node:crypto';
import { LABEL } from '../policy/types.ts';

/** Pod labels that say nothing about security (they differ between replicas of one workload). */
export const NON_SECURITY_LABELS: readonly string[] = [
  'pod-template-hash',
  'controller-revision-hash',
  'statefulset.kubernetes.io/pod-name',
  'pod-template-generation',
];

/** The label Kubernetes puts on every Namespace: its own name. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export interface IdentityLabelsInput {
  readonly cluster: string;
  readonly namespace: string;
  readonly podLabels?: Readonly<Record<string, string>> | undefined;
  /** The Namespace object's labels; undefined when the namespace has no object (yet). */
  readonly namespaceLabels?: Readonly<Record<string, string>> | undefined;
}

/** The identity labels of a pod, keys sorted. Weft's own keys win over a pod label of the same key. */
export function identityLabels(input: IdentityLabelsInput): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.podLabels ?? {})) {
    if (NON_SECURITY_LABELS.includes(k)) continue;
    out[k] = v;
  }
  const nsLabels: Record<string, string> = { ...(input.namespaceLabels ?? {}), [NAMESPACE_NAME_LABEL]: input.namespace };
  for (const [k, v] of Object.entries(nsLabels)) out[`${LABEL.namespaceLabelsPrefix}${k}`] = v;
  out[LABEL.namespace] = input.namespace;
  out[LABEL.cluster] = input.cluster;
  return sortedLabels(out);
}

/** The same labels with keys in sorted order. */
export function sortedLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(labels).sort()) out[k] = labels[k] ?? '';
  return out;
}

/** One text per label set, independent of key order: JSON of the sorted [key, value] pairs. */
export function canonicalLabels(labels: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k] ?? '']));
}

/** sha256 (hex) of the canonical text: the name of the label set's index key. */
export function labelsHash(labels: Readonly<Record<string, string>>): string {
  return createHash('sha256').update(canonicalLabels(labels)).digest('hex');
}

/** `k=v` per label, sorted by key (logs, CLI). */
export function labelStrings(labels: Readonly<Record<string, string>>, prefix = ''): string[] {
  return Object.keys(labels)
    .sort()
    .map((k) => `${prefix}${k}=${labels[k] ?? ''}`);
}
