/** v1 Pod. */
import { z } from 'zod';
import { namespacedMeta } from '../meta.ts';
import { dns1123Subdomain } from '../names.ts';
import { PodSpec } from '../podSpec.ts';
import type { KindDef } from '../kindDef.ts';

export const PodSchema = z
  .strictObject({
    apiVersion: z.literal('v1'),
    kind: z.literal('Pod'),
    metadata: namespacedMeta(dns1123Subdomain),
    spec: PodSpec,
    /** Status lives under weft/status/pods (written by the agent); accepted and dropped here. */
    status: z.unknown().optional(),
  })
  .transform(({ apiVersion, kind, metadata, spec }) => ({ apiVersion, kind, metadata, spec }));
export type Pod = z.infer<typeof PodSchema>;

export const podKind: KindDef<Pod> = {
  apiVersion: 'v1',
  kind: 'Pod',
  group: '',
  plural: 'pods',
  singular: 'pod',
  shortNames: ['po'],
  namespaced: true,
  schema: PodSchema,
  keepServerFields(stored, applied) {
    if (applied.spec.nodeName !== undefined || stored.spec.nodeName === undefined) return applied;
    return { ...applied, spec: { ...applied.spec, nodeName: stored.spec.nodeName } };
  },
};
