/** v1 Namespace (cluster-scoped). */
import { z } from 'zod';
import { clusterMeta } from '../meta.ts';
import { dns1123Label } from '../names.ts';
import type { KindDef } from '../kindDef.ts';

export const NamespaceSchema = z
  .strictObject({
    apiVersion: z.literal('v1'),
    kind: z.literal('Namespace'),
    metadata: clusterMeta(dns1123Label),
    /** spec (finalizers) and status are accepted and dropped. */
    spec: z.unknown().optional(),
    status: z.unknown().optional(),
  })
  .transform(({ apiVersion, kind, metadata }) => ({ apiVersion, kind, metadata }));
export type Namespace = z.infer<typeof NamespaceSchema>;

export const namespaceKind: KindDef<Namespace> = {
  apiVersion: 'v1',
  kind: 'Namespace',
  group: '',
  plural: 'namespaces',
  singular: 'namespace',
  shortNames: ['ns'],
  namespaced: false,
  schema: NamespaceSchema,
};
