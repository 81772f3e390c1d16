/**
 * The resource store: user objects under weft/resources/, written all or
 * nothing in one kv transaction guarded by the modRevisions read (a
 * concurrent change fails the transaction, which is retried). Applies over
 * Weft's limits (applyLimits.ts) are refused before anything is read.
 */
import { WeftError, ErrorCode } from '../errors.ts';
import type { KvBackend, KvCompare, KvEntry, KvOp } from '../kvstore/backend.ts';
import { jsonParser } from '../kvstore/json.ts';
import { keys, parseKeyOf } from '../kvstore/keys.ts';
import type { Logger } from '../util/log.ts';
import { checkApplyLimits, checkObjectSize, checkTxnLimits } from './applyLimits.ts';
import { canonicalJson } from './canonicalJson.ts';
import { displayName, kindByPlural, kindOf, keyOfResource, namespaceOf, resourceKey } from './kindRegistry.ts';
import type { AnyKindDef } from './kindRegistry.ts';
import { DEFAULT_NAMESPACE } from './meta.ts';
import type { Resource } from './resources.ts';
import type { ApplyCheckContext, KindDef } from './kindDef.ts';
import type { ResourceBase } from './meta.ts';

export type ApplyAction = 'created' | 'configured' | 'unchanged';

export interface ApplyResult {
  /** The object as stored (server fields such as creationTimestamp included). */
  readonly resource: Resource;
  readonly key: string;
  /** kubectl's name: deployment.apps/web */
  readonly display: string;
  readonly action: ApplyAction;
}

export interface StoreOptions {
  /** Transaction attempts before giving up with WeftError(Conflict). Default 5. */
  readonly maxAttempts?: number;
  readonly now?: () => Date;
  /** The cluster applied to (for kind checks against its config, e.g. a Service's clusterIP in the service CIDR). */
  readonly cluster?: string;
}

/** Parse a stored value of kind `def` (WeftError(KvInvalidValue) naming the key when bad). */
export function parseStoredResource<R extends ResourceBase>(def: KindDef<R>, key: string, value: string): R {
  return jsonParser(def.schema)(key, value);
}

/** The entries at `keysToRead` (undefined when absent), read in parallel. */
export async function readEntries(kv: KvBackend, keysToRead: readonly string[]): Promise<Map<string, KvEntry | undefined>> {
  const entries = await Promise.all(keysToRead.map((k) => kv.get(k)));
  return new Map(keysToRead.map((k, i) => [k, entries[i]]));
}

/** Guards: every key read must still be at the modRevision read (0 = absent). */
export function comparesFor(read: ReadonlyMap<string, KvEntry | undefined>): KvCompare[] {
  return [...read].map(([key, e]) => ({ key, modRevision: e?.modRevision ?? 0 }));
}

/** Run `attempt` until it commits (returns a value) or maxAttempts conflicts happened. */
export async function withRetries<T>(what: string, maxAttempts: number, attempt: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < maxAttempts; i++) {
    const out = await attempt();
    if (out !== undefined) return out;
  }
  throw new WeftError(ErrorCode.Conflict, `${what}: the objects kept changing concurrently; gave up after ${maxAttempts} attempts`);
}

function rejectDuplicates(docs: readonly Resource[]): void {
  const seen = new Set<string>();
  for (const d of docs) {
    const key = keyOfResource(d);
    if (seen.has(key)) throw new WeftError(ErrorCode.InvalidInput, `${displayName(d)} in namespace ${namespaceOf(d) ?? '-'} is given twice in one apply`);
    seen.add(key);
  }
}

/** Keys of the namespaces the docs need that are not created by the same apply ("default" always exists). */
function neededNamespaceKeys(docs: readonly Resource[]): Map<string, string[]> {
  const created = new Set(docs.filter((d) => d.kind === 'Namespace').map((d) => d.metadata.name));
  const needed = new Map<string, string[]>();
  for (const d of docs) {
    const ns = namespaceOf(d);
    if (ns === undefined || ns === DEFAULT_NAMESPACE || created.has(ns)) continue;
    const key = keys.clusterResource('namespaces', ns);
    needed.set(key, [...(needed.get(key) ?? []), displayName(d)]);
  }
  return needed;
}

function decide(def: AnyKindDef, doc: Resource, key: string, stored: KvEntry | undefined, now: Date): { next: Resource; action: ApplyAction } {
  if (stored === undefined) {
    return { next: { ...doc, metadata: { ...doc.metadata, creationTimestamp: now.toISOString() } } as Resource, action: 'created' };
  }
  let old: Resource | undefined;
  try {
    old = parseStoredResource(def, key, stored.value);
  } catch {
    old = undefined; // a bad stored value is replaced
  }
  const merged = old !== undefined && def.keepServerFields !== undefined ? def.keepServerFields(old, doc) : doc;
  const next = { ...merged, metadata: { ...merged.metadata, creationTimestamp: old?.metadata.creationTimestamp ?? now.toISOString() } } as Resource;
  return { next, action: old !== undefined && canonicalJson(old) === canonicalJson(next) ? 'unchanged' : 'configured' };
}

/**
 * Run the kinds' apply-time checks (KindDef.checkApply) on the objects about
 * to be written; returns the entries the checks read, to guard the write.
 */
export async function runApplyChecks(
  kv: KvBackend,
  toWrite: readonly Resource[],
  all: readonly Resource[],
  cluster: string | undefined,
): Promise<Map<string, KvEntry | undefined>> {
  const read = new Map<string, KvEntry | undefined>();
  const ctx: ApplyCheckContext = {
    cluster,
    docs: all,
    get: async (key) => {
      if (!read.has(key)) read.set(key, await kv.get(key));
      return read.get(key)?.value;
    },
  };
  for (const r of toWrite) {
    const def = kindOf(r);
    if (def.checkApply !== undefined) await def.checkApply(r, ctx);
  }
  return read;
}

/**
 * Create or update every doc in one transaction, like `kubectl apply`.
 * Pods and workloads must be in "default", in a namespace that exists, or in
 * a Namespace created by the same call; otherwise nothing is written.
 */
export async function applyDocuments(kv: KvBackend, docs: readonly Resource[], opts: StoreOptions = {}): Promise<ApplyResult[]> {
  rejectDuplicates(docs);
  checkApplyLimits(docs);
  const nsNeeded = neededNamespaceKeys(docs);
  const docKeys = docs.map(keyOfResource);
  return withRetries('apply', opts.maxAttempts ?? 5, async () => {
    const read = await readEntries(kv, [...docKeys, ...nsNeeded.keys()]);
    const missing = [...nsNeeded].filter(([k]) => read.get(k) === undefined);
    if (missing.length > 0) {
      const what = missing.map(([k, users]) => `namespace "${parseKeyOf('cluster-resource', k)?.name ?? k}" (needed by ${users.join(', ')})`).join('; ');
      throw new WeftError(ErrorCode.NotFound, `${what} not found: create it first or add its Namespace to the same apply; nothing was applied`);
    }
    const now = (opts.now ?? (() => new Date()))();
    const results: ApplyResult[] = docs.map((doc, i) => {
      const key = docKeys[i] ?? keyOfResource(doc);
      const { next, action } = decide(kindOf(doc), doc, key, read.get(key), now);
      return { resource: next, key, display: displayName(next), action };
    });
    const changed = results.filter((r) => r.action !== 'unchanged');
    const checked = await runApplyChecks(kv, changed.map((r) => r.resource), results.map((r) => r.resource), opts.cluster);
    for (const r of changed) checkObjectSize(r.resource);
    const ops: KvOp[] = changed.map((r) => ({ op: 'put', key: r.key, value: JSON.stringify(r.resource) }));
    if (ops.length === 0) return results;
    const compares = [...comparesFor(read), ...comparesFor(checked)];
    checkTxnLimits('apply', compares, ops);
    return (await kv.txn(compares, ops)) ? results : undefined;
  });
}

/** One object of the store, by plural kind, namespace and name. */
export async function getResource(kv: KvBackend, plural: string, namespace: string | undefined, name: string): Promise<Resource | undefined> {
  const def = kindByPlural(plural);
  const key = resourceKey(def, namespace, name);
  const entry = await kv.get(key);
  return entry === undefined ? undefined : parseStoredResource(def, key, entry.value);
}

/**
 * Every object of a kind, in one namespace or all of them (namespace
 * undefined). A bad stored value is reported to `onInvalid` (or logged) and
 * skipped.
 */
export async function listResources(
  kv: KvBackend,
  plural: string,
  namespace?: string,
  opts: { logger?: Logger; onInvalid?: (key: string, err: unknown) => void } = {},
): Promise<Resource[]> {
  const def = kindByPlural(plural);
  const prefix = def.namespaced && namespace !== undefined ? keys.resource(def.plural, namespace, '') : keys.resourcesPrefix(def.plural);
  const { entries } = await kv.list(prefix);
  const out: Resource[] = [];
  for (const e of entries) {
    try {
      out.push(parseStoredResource(def, e.key, e.value));
    } catch (err) {
      if (opts.onInvalid !== undefined) opts.onInvalid(e.key, err);
      else opts.logger?.warn('skipping invalid stored resource', { key: e.key, err: String(err) });
    }
  }
  return out;
}
