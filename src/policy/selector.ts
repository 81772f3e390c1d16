/**
 * Label selectors of network policies (Kubernetes LabelSelector, Cilium
 * EndpointSelector): matchLabels and matchExpressions In / NotIn / Exists /
 * DoesNotExist, matched against plain label maps (identity labels).
 *
 * Keys may carry Cilium's source prefix `k8s:` or `any:`, which is stripped
 * (identity labels have plain keys); any other prefix (`reserved:`, `cidr:`,
 * …) is rejected naming it.
 */
import { z } from 'zod';
import { WeftError, ErrorCode } from '../errors.ts';
import { isLabelValue, isQualifiedName } from '../model/names.ts';

export const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;
export type SelectorOperator = (typeof SELECTOR_OPERATORS)[number];

/** Prefixes stripped from selector keys. */
const ACCEPTED_SOURCES = new Set(['k8s', 'any']);

/** A key without its `k8s:` / `any:` source prefix, or the reason it is rejected. */
export function plainSelectorKey(raw: string): { key: string } | { problem: string } {
  const colon = raw.indexOf(':');
  const source = colon < 0 ? undefined : raw.slice(0, colon);
  const key = colon < 0 ? raw : raw.slice(colon + 1);
  if (source !== undefined && !ACCEPTED_SOURCES.has(source)) {
    return { problem: `label source prefix "${source}:" is not supported by Weft (use "k8s:", "any:" or no prefix)` };
  }
  if (!isQualifiedName(key)) return { problem: 'label key must be [prefix/]name with name at most 63 characters of A-Z, a-z, 0-9, -, _ and .' };
  return { key };
}

const MatchExpressionInput = z.strictObject({
  key: z.string(),
  operator: z.enum(SELECTOR_OPERATORS),
  values: z.array(z.string()).optional(),
});

/** A selector as written in a manifest (and stored): validated, not rewritten. */
export const LabelSelectorInput = z
  .strictObject({
    matchLabels: z.record(z.string(), z.string()).optional(),
    matchExpressions: z.array(MatchExpressionInput).optional(),
  })
  .superRefine((sel, ctx) => {
    for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
      const plain = plainSelectorKey(k);
      if ('problem' in plain) ctx.addIssue({ code: 'custom', path: ['matchLabels', k], input: k, message: plain.problem });
      if (!isLabelValue(v)) ctx.addIssue({ code: 'custom', path: ['matchLabels', k], input: v, message: 'label value must be at most 63 characters of A-Z, a-z, 0-9, -, _ and ., starting and ending with a letter or digit' });
    }
    (sel.matchExpressions ?? []).forEach((e, i) => {
      const plain = plainSelectorKey(e.key);
      if ('problem' in plain) ctx.addIssue({ code: 'custom', path: ['matchExpressions', i, 'key'], input: e.key, message: plain.problem });
      const values = e.values ?? [];
      const needsValues = e.operator === 'In' || e.operator === 'NotIn';
      if (needsValues && values.length === 0) {
        ctx.addIssue({ code: 'custom', path: ['matchExpressions', i, 'values'], input: e.values, message: `operator ${e.operator} needs at least one value` });
      }
      if (!needsValues && values.length > 0) {
        ctx.addIssue({ code: 'custom', path: ['matchExpressions', i, 'values'], input: e.values, message: `operator ${e.operator} takes no values` });
      }
      values.forEach((v, j) => {
        if (!isLabelValue(v)) ctx.addIssue({ code: 'custom', path: ['matchExpressions', i, 'values', j], input: v, message: 'is not a valid label value' });
      });
    });
  });
export type LabelSelectorInput = z.infer<typeof LabelSelectorInput>;

/** One requirement on one (plain) key. */
export interface Requirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  /** Sorted, unique; empty for Exists / DoesNotExist. */
  readonly values: readonly string[];
}

/** A compiled selector: every requirement must hold. No requirement = selects everything. */
export interface Selector {
  /** Sorted by key, operator, values. */
  readonly requirements: readonly Requirement[];
  /** Canonical text, equal for equal selectors (the memo key). */
  readonly text: string;
}

function requirementText(r: Requirement): string {
  switch (r.operator) {
    case 'In':
      return r.values.length === 1 ? `${r.key}=${r.values[0] ?? ''}` : `${r.key} in (${r.values.join(',')})`;
    case 'NotIn':
      return `${r.key} notin (${r.values.join(',')})`;
    case 'Exists':
      return r.key;
    case 'DoesNotExist':
      return `!${r.key}`;
  }
}

/** A selector from requirements (sorted, duplicates removed). */
export function selectorOf(requirements: readonly Requirement[]): Selector {
  const byText = new Map<string, Requirement>();
  for (const r of requirements) {
    const norm: Requirement = { key: r.key, operator: r.operator, values: [...new Set(r.values)].sort() };
    byText.set(requirementText(norm), norm);
  }
  const sorted = [...byText.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { requirements: sorted.map(([, r]) => r), text: sorted.map(([t]) => t).join(',') };
}

function plainOrThrow(raw: string, where: string): string {
  const plain = plainSelectorKey(raw);
  if ('problem' in plain) throw new WeftError(ErrorCode.InvalidManifest, `${where}: key "${raw}": ${plain.problem}`);
  return plain.key;
}

/** Compile a validated selector; `where` names it in errors. */
export function compileSelector(input: LabelSelectorInput, where = 'selector'): Selector {
  const reqs: Requirement[] = [];
  for (const [k, v] of Object.entries(input.matchLabels ?? {})) reqs.push({ key: plainOrThrow(k, `${where}.matchLabels`), operator: 'In', values: [v] });
  (input.matchExpressions ?? []).forEach((e, i) => {
    reqs.push({ key: plainOrThrow(e.key, `${where}.matchExpressions[${i}]`), operator: e.operator, values: e.values ?? [] });
  });
  return selectorOf(reqs);
}

/** The selector with one more requirement. */
export function withRequirement(sel: Selector, req: Requirement): Selector {
  return selectorOf([...sel.requirements, req]);
}

/** Whether any requirement is on `key` (a selector naming the namespace or the cluster). */
export function selectorHasKey(sel: Selector, key: string): boolean {
  return sel.requirements.some((r) => r.key === key);
}

export function requirementMatches(r: Requirement, labels: Readonly<Record<string, string>>): boolean {
  const v = Object.hasOwn(labels, r.key) ? labels[r.key] : undefined;
  switch (r.operator) {
    case 'In':
      return v !== undefined && r.values.includes(v);
    case 'NotIn':
      return v === undefined || !r.values.includes(v);
    case 'Exists':
      return v !== undefined;
    case 'DoesNotExist':
      return v === undefined;
  }
}

export function selectorMatches(sel: Selector, labels: Readonly<Record<string, string>>): boolean {
  for (const r of sel.requirements) if (!requirementMatches(r, labels)) return false;
  return true;
}

/** Human summary: `app=db,tier in (a,b)`; `(all)` for the empty selector. */
export function selectorSummary(sel: Selector): string {
  return sel.text === '' ? '(all)' : sel.text;
}
