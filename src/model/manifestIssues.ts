/**
 * Turns zod issues into messages that name the field path and the offending
 * value: `spec.replicas: must be a number, got "three"`.
 */
import type { z } from 'zod';

export type FieldPath = readonly PropertyKey[];

/** spec.template.spec.containers[0].ports[1].containerPort */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out === '' ? '(document)' : out;
}

/** The value at `path` in a raw document; undefined when absent. */
export function valueAt(raw: unknown, path: FieldPath): unknown {
  let cur: unknown = raw;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

export function formatValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(v) ?? typeof v;
  } catch {
    text = typeof v;
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function sizeRule(issue: { origin: string; inclusive?: boolean }, bound: number | bigint, dir: 'least' | 'most'): string {
  switch (issue.origin) {
    case 'string':
      return dir === 'least' && Number(bound) === 1 ? 'must not be empty' : `must have at ${dir} ${bound} characters`;
    case 'array':
      return `must have at ${dir} ${bound} item${Number(bound) === 1 ? '' : 's'}`;
    default: {
      const op = dir === 'least' ? (issue.inclusive === false ? '>' : '>=') : issue.inclusive === false ? '<' : '<=';
      return `must be ${op} ${bound}`;
    }
  }
}

export interface FieldProblem {
  readonly path: FieldPath;
  readonly message: string;
}

/** One problem per issue (an unknown-fields issue gives one per field), each naming path and value. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], raw: unknown): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const issue of issues) {
    const value = valueAt(raw, issue.path);
    const got = `got ${formatValue(value)}`;
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const k of issue.keys) {
          const path = [...issue.path, k];
          out.push({ path, message: `${formatPath(path)}: unknown field, not supported by Weft (value ${formatValue(valueAt(raw, path))})` });
        }
        break;
      case 'invalid_type':
        out.push({
          path: issue.path,
          message: value === undefined ? `${formatPath(issue.path)}: is required` : `${formatPath(issue.path)}: must be ${issue.expected === 'array' ? 'a list' : issue.expected === 'object' || issue.expected === 'record' ? 'a mapping' : `a ${issue.expected}`}, ${got}`,
        });
        break;
      case 'invalid_value':
        out.push({ path: issue.path, message: `${formatPath(issue.path)}: must be one of ${issue.values.map((v) => formatValue(v)).join(', ')}, ${got}` });
        break;
      case 'too_small':
        out.push({ path: issue.path, message: `${formatPath(issue.path)}: ${sizeRule(issue, issue.minimum, 'least')}, ${got}` });
        break;
      case 'too_big':
        out.push({ path: issue.path, message: `${formatPath(issue.path)}: ${sizeRule(issue, issue.maximum, 'most')}, ${got}` });
        break;
      case 'invalid_key': {
        const key = issue.path[issue.path.length - 1];
        const why = issue.issues[0]?.message ?? issue.message;
        out.push({ path: issue.path, message: `${formatPath(issue.path.slice(0, -1))}: ${why}, got key ${formatValue(key)}` });
        break;
      }
      case 'custom':
        out.push({ path: issue.path, message: `${formatPath(issue.path)}: ${issue.message}, got ${formatValue(issue.input ?? value)}` });
        break;
      case 'invalid_format':
      case 'not_multiple_of':
      case 'invalid_union':
      case 'invalid_element':
        out.push({ path: issue.path, message: `${formatPath(issue.path)}: ${issue.message}, ${got}` });
        break;
    }
  }
  return out;
}
