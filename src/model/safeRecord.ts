/**
 * A string-keyed map schema that keeps every key. zod's own z.record builds
 * its output with `out[key] = value`, which silently drops a key named
 * `__proto__` (the assignment sets the prototype instead); ConfigMap data may
 * legitimately hold that key, and a label map must refuse it, not lose it.
 * Keys and values are checked with the given schemas; issues carry the same
 * codes and paths as z.record's.
 */
import { z } from 'zod';

function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function safeRecord<V extends z.ZodType>(key: z.ZodType<string>, value: V) {
  return z
    .custom<Record<string, unknown>>(isMapping, { message: 'must be a mapping' })
    .transform((input, ctx) => {
      const entries: [string, z.output<V>][] = [];
      for (const [k, v] of Object.entries(input)) {
        const kr = key.safeParse(k);
        if (!kr.success) {
          ctx.issues.push({ code: 'invalid_key', origin: 'record', issues: kr.error.issues, input: k, path: [k], message: kr.error.issues[0]?.message ?? 'invalid key' });
          continue;
        }
        const vr = value.safeParse(v);
        if (!vr.success) {
          for (const issue of vr.error.issues) ctx.issues.push({ ...issue, path: [k, ...issue.path] } as z.core.$ZodRawIssue);
          continue;
        }
        entries.push([kr.data, vr.data]);
      }
      // Object.fromEntries defines own properties: `__proto__` stays a key
      return Object.fromEntries(entries);
    });
}
