/**
 * Identity allocation by the agent, race-free through kvstore transactions
 * (as Cilium's kvstore allocator): the identity key
 * weft/state/identities/v1/<cluster>/<id> holds the labels, the never-exported
 * index weft/alloc/identities/<cluster>/<sha256> maps the label set to its id.
 *
 * A write that needs an identity (the endpoint) goes in ONE transaction with
 * the index key: created together with the identity when the label set is
 * new (guard: both keys absent), otherwise put again unchanged (guard: its
 * modRevision as read). That touch changes the index's modRevision, so the
 * operator's garbage collector, whose delete is guarded by the modRevision
 * it saw unused, loses against any writer that just used the identity; and
 * a writer that lost against the collector retries and allocates anew.
 */
import { ErrorCode, WeftError } from '../errors.ts';
import type { KvBackend, KvCompare, KvOp } from '../kvstore/backend.ts';
import { keys } from '../kvstore/keys.ts';
import { IdentityIndexEntry, IdentityState } from '../model/state.ts';
import { tryParseJson } from '../kvstore/json.ts';
import { clusterIdentity, LOCAL_IDENTITY_MAX, LOCAL_IDENTITY_MIN } from '../policy/types.ts';
import { canonicalLabels, labelsHash, sortedLabels } from './labels.ts';
import { identityKeyOf } from './identityInfo.ts';

export interface IdentityAllocatorOptions {
  readonly kv: KvBackend;
  readonly cluster: string;
  /** 1–255: the upper bits of every identity of the cluster. */
  readonly clusterId: number;
  /** Transactions lost to concurrent writers before giving up. Default 50. */
  readonly maxAttempts?: number;
  /** Local ids tried, lowest first: LOCAL_IDENTITY_MIN..LOCAL_IDENTITY_MAX (tests narrow it). */
  readonly localRange?: { readonly min: number; readonly max: number };
}

function parseJson<T>(schema: { parse(v: unknown): T }, key: string, value: string): T {
  try {
    return schema.parse(JSON.parse(value));
  } catch (err) {
    throw new WeftError(ErrorCode.KvInvalidValue, `value of key ${key} is invalid: ${value.slice(0, 200)}`, { cause: err });
  }
}

export class IdentityAllocator {
  readonly #kv: KvBackend;
  readonly #cluster: string;
  readonly #clusterId: number;
  readonly #maxAttempts: number;
  readonly #min: number;
  readonly #max: number;

  constructor(opts: IdentityAllocatorOptions) {
    if (!Number.isInteger(opts.clusterId) || opts.clusterId < 1 || opts.clusterId > 255) {
      throw new WeftError(ErrorCode.InvalidClusterId, `cluster id ${opts.clusterId} is out of range 1-255`);
    }
    this.#kv = opts.kv;
    this.#cluster = opts.cluster;
    this.#clusterId = opts.clusterId;
    this.#maxAttempts = opts.maxAttempts ?? 50;
    this.#min = Math.max(LOCAL_IDENTITY_MIN, opts.localRange?.min ?? LOCAL_IDENTITY_MIN);
    this.#max = Math.min(LOCAL_IDENTITY_MAX, opts.localRange?.max ?? LOCAL_IDENTITY_MAX);
  }

  /** The identity of a label set, allocated when new, and its index touched (marks it in use now). */
  allocate(labels: Readonly<Record<string, string>>): Promise<number> {
    return this.writeWithIdentity(labels, () => []);
  }

  /**
   * Commit `ops(id)` in one transaction with the allocation or touch of the
   * label set's identity; returns the id. Retries when a concurrent writer
   * (another agent, the garbage collector) changed the index meanwhile.
   */
  async writeWithIdentity(labels: Readonly<Record<string, string>>, ops: (id: number) => readonly KvOp[]): Promise<number> {
    const sorted = sortedLabels(labels);
    const indexKey = keys.identityIndex(this.#cluster, labelsHash(sorted));
    const lost = new Set<number>();
    for (let attempt = 0; attempt < this.#maxAttempts; attempt++) {
      const index = await this.#kv.get(indexKey);
      if (index !== undefined) {
        const { id } = parseJson(IdentityIndexEntry, indexKey, index.value);
        const identityKey = keys.identity(this.#cluster, id);
        const identity = await this.#kv.get(identityKey);
        const compares: KvCompare[] = [{ key: indexKey, modRevision: index.modRevision }];
        const writes: KvOp[] = [{ op: 'put', key: indexKey, value: index.value }];
        if (identity === undefined) {
          // Repair: the index names an id whose identity key is gone.
          compares.push({ key: identityKey, modRevision: 0 });
          writes.push({ op: 'put', key: identityKey, value: JSON.stringify({ labels: sorted } satisfies IdentityState) });
        } else {
          const stored = parseJson(IdentityState, identityKey, identity.value);
          if (canonicalLabels(stored.labels) !== canonicalLabels(sorted)) {
            throw new WeftError(
              ErrorCode.Conflict,
              `identity ${id} of cluster ${this.#cluster} holds labels ${canonicalLabels(stored.labels)}, but index ${indexKey} maps ${canonicalLabels(sorted)} to it`,
            );
          }
        }
        if (await this.#kv.txn(compares, [...writes, ...ops(id)])) return id;
        continue;
      }
      const id = await this.#freeId(lost);
      const identityKey = keys.identity(this.#cluster, id);
      const created = await this.#kv.txn(
        [
          { key: indexKey, modRevision: 0 },
          { key: identityKey, modRevision: 0 },
        ],
        [
          { op: 'put', key: identityKey, value: JSON.stringify({ labels: sorted } satisfies IdentityState) },
          { op: 'put', key: indexKey, value: JSON.stringify({ id } satisfies IdentityIndexEntry) },
          ...ops(id),
        ],
      );
      if (created) return id;
      lost.add(id);
    }
    throw new WeftError(
      ErrorCode.Conflict,
      `allocating the identity of ${canonicalLabels(sorted)} in cluster ${this.#cluster} lost ${this.#maxAttempts} transactions to concurrent writers`,
    );
  }

  /** The lowest local id in range used by no identity key, index entry, nor an id lost in this call. */
  async #freeId(lost: ReadonlySet<number>): Promise<number> {
    const [identities, index] = await Promise.all([this.#kv.list(keys.identitiesPrefix(this.#cluster)), this.#kv.list(keys.identityIndexPrefix(this.#cluster))]);
    const used = new Set<number>(lost);
    for (const e of identities.entries) {
      const k = identityKeyOf(e.key);
      if (k !== undefined) used.add(k.id);
    }
    for (const e of index.entries) {
      const entry = tryParseJson(IdentityIndexEntry, e.value);
      if (entry !== undefined) used.add(entry.id);
    }
    for (let local = this.#min; local <= this.#max; local++) {
      const id = clusterIdentity(this.#clusterId, local);
      if (!used.has(id)) return id;
    }
    const total = this.#max - this.#min + 1;
    throw new WeftError(
      ErrorCode.PoolExhausted,
      `no free identity in cluster ${this.#cluster} (id ${this.#clusterId}): all ${total} local identities ${this.#min}-${this.#max} are in use`,
    );
  }
}
