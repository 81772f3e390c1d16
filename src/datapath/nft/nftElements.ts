/**
 * Element-by-element updates of an nftables map (pure): the difference between
 * what the kernel holds (a shadow copy) and what is desired, as `nft -f` lines.
 * A change of one element never rewrites the map.
 */
export interface ElementDiff {
  readonly add: readonly (readonly [string, string])[];
  readonly remove: readonly string[];
}

export function diffElements(shadow: ReadonlyMap<string, string>, desired: ReadonlyMap<string, string>): ElementDiff {
  const add: [string, string][] = [];
  const remove: string[] = [];
  for (const [k, v] of desired) if (shadow.get(k) !== v) add.push([k, v]);
  for (const k of shadow.keys()) if (!desired.has(k)) remove.push(k);
  // A changed value is a delete then an add in the same transaction.
  for (const [k] of add) if (shadow.has(k)) remove.push(k);
  return { add, remove };
}

/** `nft -f` lines applying the diff to map `name` of `table` (e.g. "inet weft"); chunked to keep lines short. */
export function elementCommands(table: string, name: string, diff: ElementDiff, chunk = 512): string[] {
  const lines: string[] = [];
  for (let i = 0; i < diff.remove.length; i += chunk) {
    lines.push(`delete element ${table} ${name} { ${diff.remove.slice(i, i + chunk).join(', ')} }`);
  }
  for (let i = 0; i < diff.add.length; i += chunk) {
    lines.push(`add element ${table} ${name} { ${diff.add.slice(i, i + chunk).map(([k, v]) => `${k} : ${v}`).join(', ')} }`);
  }
  return lines;
}

export function applyDiff(shadow: Map<string, string>, diff: ElementDiff): void {
  for (const k of diff.remove) shadow.delete(k);
  for (const [k, v] of diff.add) shadow.set(k, v);
}

/** The difference between the elements of a set the kernel holds (a shadow copy) and the desired ones. */
export interface SetDiff {
  readonly add: readonly string[];
  readonly remove: readonly string[];
}

export function diffSetElements(shadow: ReadonlySet<string>, desired: ReadonlySet<string>): SetDiff {
  const add: string[] = [];
  const remove: string[] = [];
  for (const k of desired) if (!shadow.has(k)) add.push(k);
  for (const k of shadow) if (!desired.has(k)) remove.push(k);
  return { add, remove };
}

/** `nft -f` lines applying the diff to set `name` of `table`: deletions first, chunked to keep lines short. */
export function setElementCommands(table: string, name: string, diff: SetDiff, chunk = 512): string[] {
  const lines: string[] = [];
  for (let i = 0; i < diff.remove.length; i += chunk) lines.push(`delete element ${table} ${name} { ${diff.remove.slice(i, i + chunk).join(', ')} }`);
  for (let i = 0; i < diff.add.length; i += chunk) lines.push(`add element ${table} ${name} { ${diff.add.slice(i, i + chunk).join(', ')} }`);
  return lines;
}
