/**
 * ObjectMeta: the `metadata` of every resource. Unknown metadata fields (uid,
 * resourceVersion, generation, …) are accepted and dropped.
 */
import { z } from 'zod';
import { annotationMap, dns1123Label, labelMap } from './names.ts';

export const DEFAULT_NAMESPACE = 'default';

/** The owner of an operator-created pod (a Deployment, DaemonSet or StatefulSet in the pod's namespace). */
export const OwnerReference = z.object({ kind: z.string().min(1), name: z.string().min(1) });
export type OwnerReference = z.infer<typeof OwnerReference>;

const common = {
  labels: labelMap.default({}),
  annotations: annotationMap.default({}),
  ownerReferences: z.array(OwnerReference).optional(),
  /** Set by the store when the object is first created (ISO 8601); ignored on apply. */
  creationTimestamp: z.string().optional(),
};

/** metadata of a namespaced kind; `nameRule` is the kind's naming rule. */
export function namespacedMeta(nameRule: z.ZodType<string>) {
  return z.object({ name: nameRule, namespace: dns1123Label.default(DEFAULT_NAMESPACE), ...common });
}

/** metadata of a cluster-scoped kind (no namespace). */
export function clusterMeta(nameRule: z.ZodType<string>) {
  return z.object({ name: nameRule, ...common });
}

/** The metadata every resource has once validated. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  ownerReferences?: OwnerReference[] | undefined;
  creationTimestamp?: string | undefined;
}

/** Fields every validated resource has. */
export interface ResourceBase {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
}
