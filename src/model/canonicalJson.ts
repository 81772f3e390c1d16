/**
 * JSON with object keys sorted at every level, so two objects that are equal
 * as data compare equal as text (unchanged detection, template hashes).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    // Object.fromEntries, not out[k] = …: a key named __proto__ stays a key
    const entries = Object.keys(v)
      .sort()
      .map((k): [string, unknown] => [k, (v as Record<string, unknown>)[k]])
      .filter(([, child]) => child !== undefined);
    return Object.fromEntries(entries.map(([k, child]) => [k, sortKeys(child)]));
  }
  return v;
}
