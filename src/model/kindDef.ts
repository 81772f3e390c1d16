/**
 * What the registry knows about one kind: how it is named on the command line
 * and in etcd, whether it lives in a namespace, and its schema.
 */
import type { z } from 'zod';
import type { ResourceBase } from './meta.ts';

export interface KindDef<R extends ResourceBase = ResourceBase> {
  readonly apiVersion: string;
  readonly kind: string;
  /** API group ('' for the core group), for kubectl-style names such as deployment.apps/web. */
  readonly group: string;
  /** Lower-case plural: the kind segment of its etcd key (keys.resource). */
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly namespaced: boolean;
  /** Validates a manifest document (and a stored value) into the normalized object. */
  readonly schema: z.ZodType<R>;
  /**
   * Fields the cluster sets that a re-apply of the manifest keeps (a pod's
   * spec.nodeName set by the scheduler). Method syntax on purpose: bivariant.
   */
  keepServerFields?(stored: R, applied: R): R;
}
