/** apps/v1 DaemonSet: one pod per node that has a PodCIDR. */
import { z } from 'zod';
import { namespacedMeta } from '../meta.ts';
import { dns1123Subdomain } from '../names.ts';
import { checkSelectorMatchesTemplate, ignoredWorkloadFields, LabelSelector, PodTemplate } from '../workloadSpec.ts';
import type { KindDef } from '../kindDef.ts';

export const DaemonSetSpec = z
  .strictObject({
    selector: LabelSelector,
    template: PodTemplate,
    updateStrategy: z.unknown().optional(),
    ...ignoredWorkloadFields,
  })
  .superRefine(checkSelectorMatchesTemplate);

export const DaemonSetSchema = z
  .strictObject({
    apiVersion: z.literal('apps/v1'),
    kind: z.literal('DaemonSet'),
    metadata: namespacedMeta(dns1123Subdomain),
    spec: DaemonSetSpec,
    status: z.unknown().optional(),
  })
  .transform(({ apiVersion, kind, metadata, spec }) => ({ apiVersion, kind, metadata, spec }));
export type DaemonSet = z.infer<typeof DaemonSetSchema>;

export const daemonSetKind: KindDef<DaemonSet> = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  group: 'apps',
  plural: 'daemonsets',
  singular: 'daemonset',
  shortNames: ['ds'],
  namespaced: true,
  schema: DaemonSetSchema,
};
