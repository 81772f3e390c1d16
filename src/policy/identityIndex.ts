/**
 * Every known identity indexed by label (key=value → ids), so that resolving
 * a selector touches only the identities of its most selective `In`
 * requirement instead of all of them; and a memo of selector → matching
 * identities, updated in place when a few identities come or go.
 */
import { selectorMatches } from './selector.ts';
import type { Selector } from './selector.ts';
import type { IdentityInfo } from './types.ts';

const pairKey = (key: string, value: string): string => `${key}\u0000${value}`;

export class IdentityIndex {
  readonly byId = new Map<number, IdentityInfo>();
  readonly #byLabel = new Map<string, Set<number>>();

  add(info: IdentityInfo): void {
    this.remove(info.id);
    this.byId.set(info.id, info);
    for (const [k, v] of Object.entries(info.labels)) {
      const pk = pairKey(k, v);
      let ids = this.#byLabel.get(pk);
      if (ids === undefined) this.#byLabel.set(pk, (ids = new Set()));
      ids.add(info.id);
    }
  }

  remove(id: number): void {
    const old = this.byId.get(id);
    if (old === undefined) return;
    this.byId.delete(id);
    for (const [k, v] of Object.entries(old.labels)) {
      const pk = pairKey(k, v);
      const ids = this.#byLabel.get(pk);
      ids?.delete(id);
      if (ids?.size === 0) this.#byLabel.delete(pk);
    }
  }

  /** The identities that can match `sel`: the smallest bucket of its In requirements, or every identity. */
  candidates(sel: Selector): Iterable<number> {
    let best: number[] | undefined;
    let bestSize = Infinity;
    for (const r of sel.requirements) {
      if (r.operator !== 'In') continue;
      let size = 0;
      for (const v of r.values) size += this.#byLabel.get(pairKey(r.key, v))?.size ?? 0;
      if (size < bestSize) {
        bestSize = size;
        best = r.values.flatMap((v) => [...(this.#byLabel.get(pairKey(r.key, v)) ?? [])]);
      }
    }
    return best ?? this.byId.keys();
  }

  /** The ids of the identities `sel` matches. */
  select(sel: Selector): Set<number> {
    const out = new Set<number>();
    for (const id of this.candidates(sel)) {
      const info = this.byId.get(id);
      if (info !== undefined && selectorMatches(sel, info.labels)) out.add(id);
    }
    return out;
  }
}

interface MemoEntry {
  readonly selector: Selector;
  readonly ids: Set<number>;
}

/** selector text → matching identity ids, kept up to date through `update`. */
export class SelectorMemo {
  readonly #entries = new Map<string, MemoEntry>();
  readonly #index: IdentityIndex;

  constructor(index: IdentityIndex) {
    this.#index = index;
  }

  get size(): number {
    return this.#entries.size;
  }

  ids(sel: Selector): ReadonlySet<number> {
    let e = this.#entries.get(sel.text);
    if (e === undefined) this.#entries.set(sel.text, (e = { selector: sel, ids: this.#index.select(sel) }));
    return e.ids;
  }

  /**
   * After the index changed for `ids` (added, removed or relabelled), fix
   * every memoized selector; returns the texts of the selectors whose
   * matches changed.
   */
  update(ids: Iterable<number>): Set<string> {
    const changed = new Set<string>();
    const infos = [...ids].map((id) => ({ id, info: this.#index.byId.get(id) }));
    for (const [text, e] of this.#entries) {
      for (const { id, info } of infos) {
        const now = info !== undefined && selectorMatches(e.selector, info.labels);
        if (now === e.ids.has(id)) continue;
        if (now) e.ids.add(id);
        else e.ids.delete(id);
        changed.add(text);
      }
    }
    return changed;
  }
}
