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
  /**
   * Checks against the cluster's stored state before an apply creates or
   * changes an object (a Service's requested clusterIP: inside the service
   * CIDR, not taken). Throws a WeftError naming the value; nothing is written.
   */
  checkApply?(applied: R, ctx: ApplyCheckContext): Promise<void>;
}

/**
 * What a kind's apply-time check may read. Every key read through `get`
 * guards the apply transaction: if it changes before the write, the apply is
 * retried (and checked again).
 */
export interface ApplyCheckContext {
  /** The cluster applied to, when the caller knows it (the CLI's context). */
  readonly cluster: string | undefined;
  /** Every object of the same apply (to catch two of them claiming one thing). */
  readonly docs: readonly ResourceBase[];
  /** The stored value of a key, undefined when absent. */
  get(key: string): Promise<string | undefined>;
}
