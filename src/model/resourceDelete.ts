/**
 * Deleting objects from the resource store, all or nothing in one kv
 * transaction. Deleting a Namespace deletes every object in it.
 */
import { WeftError, ErrorCode } from '../errors.ts';
import type { KvBackend, KvOp } from '../kvstore/backend.ts';
import { keys } from '../kvstore/keys.ts';
import { KINDS, kindByPlural, kindOf, namespaceOf, resourceKey } from './kindRegistry.ts';
import { DEFAULT_NAMESPACE } from './meta.ts';
import type { Resource } from './resources.ts';
import { checkTxnLimits } from './applyLimits.ts';
import { comparesFor, readEntries, withRetries } from './resourceStore.ts';
import type { StoreOptions } from './resourceStore.ts';

/** Names one object: plural kind (pods, deployments, namespaces, …), namespace (namespaced kinds), name. */
export interface ResourceRef {
  readonly plural: string;
  readonly namespace?: string | undefined;
  readonly name: string;
}

export interface DeleteResult {
  readonly ref: ResourceRef;
  readonly key: string;
  /** kubectl's name: deployment.apps/web */
  readonly display: string;
  readonly action: 'deleted' | 'notFound';
}

export function refOf(r: Resource): ResourceRef {
  return { plural: kindOf(r).plural, namespace: namespaceOf(r), name: r.metadata.name };
}

/**
 * Delete the objects named by `refs` in one transaction; objects that do not
 * exist are reported as notFound (not an error). Deleting a Namespace also
 * deletes every namespaced object in it. The "default" namespace cannot be
 * deleted.
 */
export async function deleteResources(kv: KvBackend, refs: readonly ResourceRef[], opts: StoreOptions = {}): Promise<DeleteResult[]> {
  const targets = refs.map((ref) => {
    const def = kindByPlural(ref.plural);
    if (def.kind === 'Namespace' && ref.name === DEFAULT_NAMESPACE) {
      throw new WeftError(ErrorCode.InvalidInput, `namespace "${DEFAULT_NAMESPACE}" cannot be deleted`);
    }
    const namespace = def.namespaced ? (ref.namespace ?? DEFAULT_NAMESPACE) : undefined;
    const display = `${def.group === '' ? def.singular : `${def.singular}.${def.group}`}/${ref.name}`;
    return { ref: { plural: def.plural, namespace, name: ref.name }, key: resourceKey(def, namespace, ref.name), display };
  });
  const namespacesDeleted = new Set(targets.filter((t) => t.ref.plural === 'namespaces').map((t) => t.ref.name));
  return withRetries('delete', opts.maxAttempts ?? 5, async () => {
    const read = await readEntries(kv, [...new Set(targets.map((t) => t.key))]);
    const results: DeleteResult[] = targets.map((t) => ({ ...t, action: read.get(t.key) === undefined ? 'notFound' : 'deleted' }));
    const ops: KvOp[] = [];
    const deletedKeys = new Set<string>();
    for (const r of results) {
      if (r.action === 'notFound' || deletedKeys.has(r.key)) continue;
      deletedKeys.add(r.key);
      // an object inside a namespace deleted by this call goes with the namespace's prefix delete
      if (r.ref.namespace !== undefined && namespacesDeleted.has(r.ref.namespace)) continue;
      ops.push({ op: 'delete', key: r.key });
      if (r.ref.plural === 'namespaces') {
        for (const def of KINDS.filter((k) => k.namespaced)) ops.push({ op: 'deletePrefix', prefix: keys.resource(def.plural, r.ref.name, '') });
      }
    }
    if (ops.length === 0) return results;
    const compares = comparesFor(read);
    checkTxnLimits('delete', compares, ops);
    return (await kv.txn(compares, ops)) ? results : undefined;
  });
}

/** Delete the objects of parsed manifests (`weft delete -f`). */
export async function deleteDocuments(kv: KvBackend, docs: readonly Resource[], opts: StoreOptions = {}): Promise<DeleteResult[]> {
  return deleteResources(kv, docs.map(refOf), opts);
}
