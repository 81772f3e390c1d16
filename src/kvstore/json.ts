/**
 * JSON values in the kvstore, validated on read with a zod schema. A bad
 * value is a WeftError(KvInvalidValue) naming the key, never a crash deeper in.
 */
import type { z } from 'zod';
import { WeftError, ErrorCode, errorMessage } from '../errors.ts';
import type { KvBackend } from './backend.ts';

/** A parser for WatchStore / getJson: JSON text → validated T, or WeftError(KvInvalidValue). */
export function jsonParser<T>(schema: z.ZodType<T>): (key: string, value: string) => T {
  return (key, value) => {
    let raw: unknown;
    try {
      raw = JSON.parse(value);
    } catch (err) {
      throw new WeftError(ErrorCode.KvInvalidValue, `value of key ${key} is not JSON: ${errorMessage(err)}`, { cause: err });
    }
    const res = schema.safeParse(raw);
    if (!res.success) {
      const why = res.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      throw new WeftError(ErrorCode.KvInvalidValue, `value of key ${key} is invalid: ${why}`, { cause: res.error });
    }
    return res.data;
  };
}

/** JSON text → validated T, or undefined when it is not JSON or not valid (callers that skip or report bad values). */
export function tryParseJson<T>(schema: z.ZodType<T>, text: string): T | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  const res = schema.safeParse(raw);
  return res.success ? res.data : undefined;
}

/** Read and validate one key; undefined when the key is absent. */
export async function getJson<T>(kv: KvBackend, key: string, schema: z.ZodType<T>): Promise<T | undefined> {
  const entry = await kv.get(key);
  return entry === undefined ? undefined : jsonParser(schema)(key, entry.value);
}
