/**
 * Writes one remote's mirror into the local etcd efficiently: puts and
 * deletes are coalesced per key, a write whose value the cache already holds
 * is skipped, and the rest goes out in transactions of at most 128 ops
 * (etcd's default --max-txn-ops) and 1 MiB, a few in flight at once. A key is
 * never in two transactions at the same time, so the last write wins. A
 * failed transaction is retried with backoff; nothing is lost.
 *
 * What the local cache holds is remembered as a digest per key (not the
 * value), which keeps the operator small with 100k mirrored keys.
 */
import { createHash } from 'node:crypto';
import { errorMessage } from '../../errors.ts';
import type { KvBackend, KvEntry, KvOp } from '../../kvstore/backend.ts';
import type { Logger } from '../../util/log.ts';
import { Backoff, type BackoffOptions } from '../../util/backoff.ts';

export interface CacheWriterOptions {
  readonly kv: KvBackend;
  readonly logger: Logger;
  /** The kind a key is counted under (undefined: not counted). */
  readonly classify?: (key: string) => string | undefined;
  readonly maxOps?: number;
  readonly maxBytes?: number;
  readonly maxInFlight?: number;
  readonly retry?: BackoffOptions;
  /** After each committed transaction (what the cache holds changed). */
  readonly onCommitted?: () => void;
  /** Per committed put that was given a time (a live change): seconds from that time to its commit. */
  readonly onPropagated?: (seconds: number) => void;
}

type Digest = string;
interface PendingPut {
  readonly value: string;
  readonly digest: Digest;
  /** performance.now() when the change was seen (live changes only); the earliest of coalesced puts. */
  readonly since?: number | undefined;
}
/** null = delete */
type Pending = PendingPut | null;

export function valueDigest(value: string): Digest {
  return createHash('sha1').update(value).digest('base64');
}

export class CacheWriter {
  readonly #opts: CacheWriterOptions;
  readonly #maxOps: number;
  readonly #maxBytes: number;
  readonly #maxInFlight: number;
  /** What the local etcd holds (committed). */
  readonly #held = new Map<string, Digest>();
  /** Waiting to be written. */
  readonly #pending = new Map<string, Pending>();
  /** Being written (digest, or null for a delete). */
  readonly #inFlight = new Map<string, Digest | null>();
  readonly #txns = new Set<Promise<void>>();
  readonly #counts = new Map<string, number>();
  readonly #backoff: Backoff;
  #waiters: (() => void)[] = [];
  #scheduled = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #paused = false;
  #closed = false;
  /** Bumped by dropAll: failed writes of an older epoch are not retried. */
  #epoch = 0;

  constructor(opts: CacheWriterOptions) {
    this.#opts = opts;
    this.#maxOps = opts.maxOps ?? 128;
    this.#maxBytes = opts.maxBytes ?? 1024 * 1024;
    this.#maxInFlight = opts.maxInFlight ?? 4;
    this.#backoff = new Backoff(opts.retry ?? { minMs: 100, maxMs: 5000 });
  }

  /** Take what the local cache holds (read once at start) as the committed state. */
  load(entries: readonly KvEntry[]): void {
    this.#held.clear();
    this.#counts.clear();
    for (const e of entries) this.#hold(e.key, valueDigest(e.value));
  }

  /** `since` (performance.now() when the change was seen) makes its commit report a propagation delay. */
  put(key: string, value: string, since?: number): void {
    const digest = valueDigest(value);
    if (this.#effective(key) === digest) return;
    const earlier = this.#pending.get(key)?.since;
    if (this.#base(key) === digest) this.#pending.delete(key);
    else this.#pending.set(key, { value, digest, since: since === undefined ? undefined : Math.min(since, earlier ?? since) });
    this.#schedule();
  }

  delete(key: string): void {
    if (this.#effective(key) === undefined) return;
    if (this.#base(key) === undefined) this.#pending.delete(key);
    else this.#pending.set(key, null);
    this.#schedule();
  }

  /** The key is in the cache once everything queued is written. */
  has(key: string): boolean {
    return this.#effective(key) !== undefined;
  }

  /** Every key the cache holds once everything queued is written. */
  keys(): string[] {
    const all = new Set([...this.#held.keys(), ...this.#inFlight.keys(), ...this.#pending.keys()]);
    return [...all].filter((k) => this.has(k));
  }

  /** Committed keys per kind (what the local cache holds now). */
  count(kind: string): number {
    return this.#counts.get(kind) ?? 0;
  }

  /** Nothing queued, nothing being written. */
  isIdle(): boolean {
    return this.#pending.size === 0 && this.#inFlight.size === 0 && !this.#paused;
  }

  /** Resolves once everything queued so far (and since) is written. */
  flushed(): Promise<void> {
    if (this.isIdle() || this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /**
   * Drop the whole cache: forget queued writes, wait for transactions in
   * flight, delete `prefix` in the local etcd. Throws when the delete fails
   * (the held state is then unchanged).
   */
  async dropAll(prefix: string): Promise<void> {
    this.#paused = true;
    this.#epoch++;
    this.#pending.clear();
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    try {
      while (this.#txns.size > 0) await Promise.all([...this.#txns]);
      await this.#opts.kv.deletePrefix(prefix);
      this.#held.clear();
      this.#counts.clear();
      this.#opts.onCommitted?.();
    } finally {
      this.#paused = false;
      this.#schedule();
      this.#settle();
    }
  }

  /** Stop writing; queued writes are dropped. Resolves once transactions in flight are done. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#pending.clear();
    clearTimeout(this.#retryTimer);
    while (this.#txns.size > 0) await Promise.all([...this.#txns]);
    this.#settle();
  }

  #effective(key: string): Digest | undefined {
    const p = this.#pending.get(key);
    if (p !== undefined) return p === null ? undefined : p.digest;
    return this.#base(key);
  }

  /** The value once the writes in flight land (ignoring what is queued). */
  #base(key: string): Digest | undefined {
    if (this.#inFlight.has(key)) return this.#inFlight.get(key) ?? undefined;
    return this.#held.get(key);
  }

  #hold(key: string, digest: Digest | null): void {
    const had = this.#held.has(key);
    if (digest === null) this.#held.delete(key);
    else this.#held.set(key, digest);
    if (had === (digest !== null)) return;
    const kind = this.#opts.classify?.(key);
    if (kind !== undefined) this.#counts.set(kind, (this.#counts.get(kind) ?? 0) + (had ? -1 : 1));
  }

  #schedule(): void {
    if (this.#scheduled || this.#closed) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#pump();
    });
  }

  #pump(): void {
    while (!this.#closed && !this.#paused && this.#retryTimer === undefined && this.#txns.size < this.#maxInFlight) {
      const batch: [string, Pending][] = [];
      let bytes = 0;
      for (const [key, p] of this.#pending) {
        if (this.#inFlight.has(key)) continue;
        const size = key.length + (p?.value.length ?? 0) + 16;
        if (batch.length > 0 && (batch.length >= this.#maxOps || bytes + size > this.#maxBytes)) break;
        batch.push([key, p]);
        bytes += size;
      }
      if (batch.length === 0) break;
      for (const [key, p] of batch) {
        this.#pending.delete(key);
        this.#inFlight.set(key, p === null ? null : p.digest);
      }
      const txn = this.#send(batch).finally(() => {
        this.#txns.delete(txn);
        this.#pump();
        this.#settle();
      });
      this.#txns.add(txn);
    }
    this.#settle();
  }

  async #send(batch: readonly [string, Pending][]): Promise<void> {
    const ops: KvOp[] = batch.map(([key, p]) => (p === null ? { op: 'delete', key } : { op: 'put', key, value: p.value }));
    const epoch = this.#epoch;
    try {
      await this.#opts.kv.txn([], ops);
    } catch (err) {
      for (const [key, p] of batch) {
        this.#inFlight.delete(key);
        if (!this.#pending.has(key) && !this.#closed && epoch === this.#epoch) this.#pending.set(key, p); // a newer write wins
      }
      if (this.#closed || epoch !== this.#epoch) return;
      const delay = this.#backoff.next();
      this.#opts.logger.warn('writing the remote cache to the local etcd failed; retrying', { ops: ops.length, retryInMs: delay, error: errorMessage(err) });
      clearTimeout(this.#retryTimer);
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = undefined;
        this.#pump();
      }, delay);
      return;
    }
    this.#backoff.reset();
    const now = performance.now();
    for (const [key, p] of batch) {
      this.#inFlight.delete(key);
      this.#hold(key, p === null ? null : p.digest);
      if (p?.since !== undefined) this.#opts.onPropagated?.((now - p.since) / 1000);
    }
    this.#opts.onCommitted?.();
  }

  #settle(): void {
    if (!this.isIdle() && !this.#closed) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}
