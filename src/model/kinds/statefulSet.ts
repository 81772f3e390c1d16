/** apps/v1 StatefulSet: like a Deployment, with pods named <name>-0 … <name>-(replicas-1). */
import { z } from 'zod';
import { namespacedMeta } from '../meta.ts';
import { dns1123Label } from '../names.ts';
import { checkSelectorMatchesTemplate, ignoredWorkloadFields, LabelSelector, PodTemplate } from '../workloadSpec.ts';
import type { KindDef } from '../kindDef.ts';

export const StatefulSetSpec = z
  .strictObject({
    replicas: z.number().int().min(0).default(1),
    selector: LabelSelector,
    template: PodTemplate,
    serviceName: z.string().optional(),
    podManagementPolicy: z.unknown().optional(),
    updateStrategy: z.unknown().optional(),
    volumeClaimTemplates: z.unknown().optional(),
    persistentVolumeClaimRetentionPolicy: z.unknown().optional(),
    ...ignoredWorkloadFields,
  })
  .superRefine(checkSelectorMatchesTemplate);

export const StatefulSetSchema = z
  .strictObject({
    apiVersion: z.literal('apps/v1'),
    kind: z.literal('StatefulSet'),
    metadata: namespacedMeta(dns1123Label),
    spec: StatefulSetSpec,
    status: z.unknown().optional(),
  })
  .transform(({ apiVersion, kind, metadata, spec }) => ({ apiVersion, kind, metadata, spec }));
export type StatefulSet = z.infer<typeof StatefulSetSchema>;

export const statefulSetKind: KindDef<StatefulSet> = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  group: 'apps',
  plural: 'statefulsets',
  singular: 'statefulset',
  shortNames: ['sts'],
  namespaced: true,
  schema: StatefulSetSchema,
};
