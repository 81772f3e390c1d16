/**
 * Which identities of the cluster the garbage collector deletes (pure).
 * An identity is a candidate while no endpoint of the cluster references it;
 * the candidate remembers the modRevision its index key had when first seen
 * unused. Once unused for the grace period at an unchanged modRevision, it
 * is collected; any touch by an agent (modRevision changed) restarts the clock.
 */

/** One allocated identity as read from the index (weft/alloc/identities/<cluster>/<hash>). */
export interface AllocatedIdentity {
  readonly id: number;
  readonly indexKey: string;
  readonly indexModRevision: number;
  /** Labels from the identity key (for the log); undefined when the identity key is missing. */
  readonly labels: Readonly<Record<string, string>> | undefined;
}

export interface GcCandidate {
  readonly id: number;
  readonly indexModRevision: number;
  /** ms timestamp when first seen unused at this modRevision. */
  readonly since: number;
}

export interface IdentityGcPlan {
  /** Unused for at least the grace period: delete (guarded by indexModRevision). */
  readonly collect: readonly (AllocatedIdentity & { readonly unusedForMs: number })[];
  /** The candidates to remember for the next pass, by index key. */
  readonly candidates: ReadonlyMap<string, GcCandidate>;
}

export function planIdentityGc(input: {
  readonly allocated: readonly AllocatedIdentity[];
  /** Identities referenced by an endpoint of the cluster (read AFTER the index). */
  readonly used: ReadonlySet<number>;
  readonly candidates: ReadonlyMap<string, GcCandidate>;
  readonly now: number;
  readonly graceMs: number;
}): IdentityGcPlan {
  const next = new Map<string, GcCandidate>();
  const collect: (AllocatedIdentity & { unusedForMs: number })[] = [];
  for (const a of input.allocated) {
    if (input.used.has(a.id)) continue;
    const prev = input.candidates.get(a.indexKey);
    const since = prev !== undefined && prev.id === a.id && prev.indexModRevision === a.indexModRevision ? prev.since : input.now;
    const unusedForMs = input.now - since;
    if (unusedForMs >= input.graceMs) collect.push({ ...a, unusedForMs });
    else next.set(a.indexKey, { id: a.id, indexModRevision: a.indexModRevision, since });
  }
  return { collect, candidates: next };
}
