/**
 * Parts shared by Deployment, DaemonSet and StatefulSet: the label selector
 * (matchLabels only), the pod template, and the rule that the selector must
 * match the template's labels.
 */
import { z } from 'zod';
import { annotationMap, labelMap } from './names.ts';
import { PodSpec } from './podSpec.ts';

export const LabelSelector = z.strictObject({
  matchLabels: labelMap.refine((m) => Object.keys(m).length > 0, { message: 'must hold at least one label' }),
});
export type LabelSelector = z.infer<typeof LabelSelector>;

/** Template metadata: labels (required) and annotations; other metadata fields are dropped. */
export const PodTemplateMeta = z.object({
  labels: labelMap.refine((m) => Object.keys(m).length > 0, { message: 'must hold at least one label' }),
  annotations: annotationMap.default({}),
});

export const PodTemplate = z.strictObject({
  metadata: PodTemplateMeta,
  spec: PodSpec,
});
export type PodTemplate = z.infer<typeof PodTemplate>;

export function formatLabels(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** The selector-matches-template check, as a zod refinement on a workload spec. */
export function checkSelectorMatchesTemplate(
  spec: { selector: LabelSelector; template: PodTemplate },
  ctx: z.RefinementCtx,
): void {
  const labels = spec.template.metadata.labels;
  const missing = Object.entries(spec.selector.matchLabels).filter(([k, v]) => labels[k] !== v);
  if (missing.length === 0) return;
  ctx.addIssue({
    code: 'custom',
    path: ['template', 'metadata', 'labels'],
    message: `selector.matchLabels "${formatLabels(spec.selector.matchLabels)}" does not match the template labels`,
    input: formatLabels(labels),
  });
}

/** Fields of a workload spec that Weft accepts and keeps but does not act on. */
export const ignoredWorkloadFields = {
  minReadySeconds: z.unknown().optional(),
  revisionHistoryLimit: z.unknown().optional(),
};
