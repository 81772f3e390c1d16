/**
 * `-o jsonpath=TEMPLATE` (pure), the subset of kubectl's JSONPath scripts
 * use: literal text with `{.field.sub}`, `{.list[0].x}`, `{.list[*].x}`
 * (the values joined by spaces) and `{.metadata.labels.app\.kubernetes\.io/name}`
 * style escaped dots. A missing field prints nothing, as kubectl does.
 */
import { WeftError, ErrorCode } from '../errors.ts';

type Step = { readonly field: string } | { readonly index: number } | { readonly all: true };

function parsePath(expr: string, template: string): Step[] {
  if (!expr.startsWith('.')) throw new WeftError(ErrorCode.InvalidInput, `jsonpath: "{${expr}}" in "${template}" must start with "." (like {.status.podIP})`);
  const steps: Step[] = [];
  let i = 1;
  let field = '';
  const flush = (): void => {
    if (field !== '') steps.push({ field });
    field = '';
  };
  while (i < expr.length) {
    const c = expr[i] ?? '';
    if (c === '\\' && i + 1 < expr.length) {
      field += expr[i + 1];
      i += 2;
    } else if (c === '.') {
      flush();
      i++;
    } else if (c === '[') {
      flush();
      const end = expr.indexOf(']', i);
      const inner = end < 0 ? '' : expr.slice(i + 1, end);
      if (inner === '*') steps.push({ all: true });
      else if (/^\d+$/.test(inner)) steps.push({ index: Number(inner) });
      else throw new WeftError(ErrorCode.InvalidInput, `jsonpath: unsupported subscript "[${inner}]" in "${template}" (use [N] or [*])`);
      i = end + 1;
    } else {
      field += c;
      i++;
    }
  }
  flush();
  return steps;
}

function evaluate(steps: readonly Step[], value: unknown): unknown[] {
  let current: unknown[] = [value];
  for (const s of steps) {
    const next: unknown[] = [];
    for (const v of current) {
      if ('field' in s) {
        if (v !== null && typeof v === 'object' && !Array.isArray(v) && s.field in v) next.push((v as Record<string, unknown>)[s.field]);
      } else if ('index' in s) {
        if (Array.isArray(v) && s.index < v.length) next.push(v[s.index]);
      } else if (Array.isArray(v)) {
        next.push(...(v as unknown[]));
      }
    }
    current = next;
  }
  return current;
}

function text(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function renderJsonPath(template: string, data: unknown): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open < 0) {
      out += template.slice(i);
      break;
    }
    const close = template.indexOf('}', open);
    if (close < 0) throw new WeftError(ErrorCode.InvalidInput, `jsonpath: unclosed "{" in "${template}"`);
    out += template.slice(i, open);
    out += evaluate(parsePath(template.slice(open + 1, close).trim(), template), data).map(text).join(' ');
    i = close + 1;
  }
  return out;
}
