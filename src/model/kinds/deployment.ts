/** apps/v1 Deployment: `replicas` pods named <name>-<5 random characters>. */
import { z } from 'zod';
import { namespacedMeta } from '../meta.ts';
import { dns1123Subdomain } from '../names.ts';
import { checkSelectorMatchesTemplate, ignoredWorkloadFields, LabelSelector, PodTemplate } from '../workloadSpec.ts';
import type { KindDef } from '../kindDef.ts';

export const DeploymentSpec = z
  .strictObject({
    replicas: z.number().int().min(0).default(1),
    selector: LabelSelector,
    template: PodTemplate,
    strategy: z.unknown().optional(),
    progressDeadlineSeconds: z.unknown().optional(),
    paused: z.unknown().optional(),
    ...ignoredWorkloadFields,
  })
  .superRefine(checkSelectorMatchesTemplate);

export const DeploymentSchema = z
  .strictObject({
    apiVersion: z.literal('apps/v1'),
    kind: z.literal('Deployment'),
    metadata: namespacedMeta(dns1123Subdomain),
    spec: DeploymentSpec,
    status: z.unknown().optional(),
  })
  .transform(({ apiVersion, kind, metadata, spec }) => ({ apiVersion, kind, metadata, spec }));
export type Deployment = z.infer<typeof DeploymentSchema>;

export const deploymentKind: KindDef<Deployment> = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  group: 'apps',
  plural: 'deployments',
  singular: 'deployment',
  shortNames: ['deploy'],
  namespaced: true,
  schema: DeploymentSchema,
};
