/**
 * The operator's identity garbage collector. Every interval: list the
 * cluster's identity index, THEN its endpoints (so every endpoint written
 * with an index touch we saw is in the endpoint list), plan (pure,
 * identityGcPlan.ts) and delete each identity unused for the grace period
 * together with its index key, in a transaction guarded by the index key's
 * modRevision seen when it was found unused: an agent that touched it
 * meanwhile (it writes its endpoint in the same transaction) wins.
 */
import { errorMessage } from '../errors.ts';
import type { KvBackend } from '../kvstore/backend.ts';
import { keys } from '../kvstore/keys.ts';
import { EndpointState, IdentityIndexEntry, IdentityState } from '../model/state.ts';
import { tryParseJson } from '../kvstore/json.ts';
import { labelStrings } from '../identity/labels.ts';
import type { Logger } from '../util/log.ts';
import type { AllocatedIdentity, GcCandidate } from './identityGcPlan.ts';
import { planIdentityGc } from './identityGcPlan.ts';

export const DEFAULT_IDENTITY_GC_GRACE_MS = 30_000;

export interface IdentityGcOptions {
  readonly kv: KvBackend;
  readonly cluster: string;
  readonly logger: Logger;
  /** How long an identity must stay unused before it is deleted. Default 30 s. */
  readonly graceMs?: number;
  /** Time between passes. Default a third of the grace period, at least 100 ms. */
  readonly intervalMs?: number;
  readonly now?: () => number;
}

export interface IdentityGcPassResult {
  /** Identities deleted in this pass. */
  readonly collected: readonly number[];
  /** Identities whose delete lost against a concurrent touch. */
  readonly kept: readonly number[];
  /** Identities currently unused, waiting for the grace period. */
  readonly pending: number;
}

export interface IdentityGc {
  /** Run one pass now (tests; also what the timer runs). */
  runOnce(): Promise<IdentityGcPassResult>;
  stop(): Promise<void>;
}

/** The cluster's allocated identities (index entries) with their labels, read in that order. */
async function readAllocated(kv: KvBackend, cluster: string, log: Logger): Promise<AllocatedIdentity[]> {
  const index = await kv.list(keys.identityIndexPrefix(cluster));
  const identities = await kv.list(keys.identitiesPrefix(cluster));
  const labelsOf = new Map<string, IdentityState>();
  for (const e of identities.entries) {
    const s = tryParseJson(IdentityState, e.value);
    if (s !== undefined) labelsOf.set(e.key, s);
  }
  const out: AllocatedIdentity[] = [];
  for (const e of index.entries) {
    const entry = tryParseJson(IdentityIndexEntry, e.value);
    if (entry === undefined) {
      log.warn('skipping invalid identity index value', { key: e.key, value: e.value.slice(0, 200) });
      continue;
    }
    out.push({ id: entry.id, indexKey: e.key, indexModRevision: e.modRevision, labels: labelsOf.get(keys.identity(cluster, entry.id))?.labels });
  }
  return out;
}

/** Identities referenced by the cluster's endpoints; undefined when an endpoint cannot be read (it might reference any). */
async function readUsed(kv: KvBackend, cluster: string, log: Logger): Promise<Set<number> | undefined> {
  const { entries } = await kv.list(keys.endpointsPrefix(cluster));
  const used = new Set<number>();
  for (const e of entries) {
    const ep = tryParseJson(EndpointState, e.value);
    if (ep === undefined) {
      log.warn('invalid endpoint value; no identity collected this pass', { key: e.key });
      return undefined;
    }
    used.add(ep.identity);
  }
  return used;
}

export function startIdentityGc(opts: IdentityGcOptions): IdentityGc {
  const { kv, cluster, logger: log } = opts;
  const graceMs = opts.graceMs ?? DEFAULT_IDENTITY_GC_GRACE_MS;
  const intervalMs = opts.intervalMs ?? Math.max(100, Math.floor(graceMs / 3));
  const now = opts.now ?? Date.now;
  let candidates: ReadonlyMap<string, GcCandidate> = new Map();
  let running: Promise<IdentityGcPassResult> | undefined;
  let stopped = false;

  const pass = async (): Promise<IdentityGcPassResult> => {
    const allocated = await readAllocated(kv, cluster, log);
    const used = await readUsed(kv, cluster, log);
    if (used === undefined) return { collected: [], kept: [], pending: candidates.size };
    const plan = planIdentityGc({ allocated, used, candidates, now: now(), graceMs });
    candidates = plan.candidates;
    const collected: number[] = [];
    const kept: number[] = [];
    for (const c of plan.collect) {
      const done = await kv.txn(
        [{ key: c.indexKey, modRevision: c.indexModRevision }],
        [
          { op: 'delete', key: c.indexKey },
          { op: 'delete', key: keys.identity(cluster, c.id) },
        ],
      );
      if (done) {
        collected.push(c.id);
        log.info('identity garbage-collected', { cluster, identity: c.id, labels: labelStrings(c.labels ?? {}), unusedForMs: c.unusedForMs });
      } else {
        kept.push(c.id);
        log.debug('identity in use again; not collected', { cluster, identity: c.id });
      }
    }
    return { collected, kept, pending: candidates.size };
  };

  const runOnce = (): Promise<IdentityGcPassResult> => {
    // One pass at a time: a timer tick during a pass joins it.
    running ??= pass().finally(() => {
      running = undefined;
    });
    return running;
  };

  const timer = setInterval(() => {
    if (stopped) return;
    runOnce().catch((err: unknown) => log.warn('identity garbage collection failed; will retry', { error: errorMessage(err) }));
  }, intervalMs);
  timer.unref();

  return {
    runOnce,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
