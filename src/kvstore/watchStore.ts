/**
 * A local mirror of one kvstore prefix: list, then watch from the list's
 * revision + 1. When the watch fails (disconnect, compaction) it waits with
 * backoff, lists again and drops every key the new list no longer has, so
 * deletions missed while disconnected still reach onDelete. Values are
 * parsed on the way in; a value that does not parse is logged and treated
 * as absent, never a crash.
 */
import { errorMessage } from '../errors.ts';
import { backoffDelay } from '../util/backoff.ts';
import { createLogger, type Logger } from '../util/log.ts';
import type { KvBackend, KvEvent, KvWatch } from './backend.ts';

export interface WatchStoreOptions<T> {
  kv: KvBackend;
  prefix: string;
  parse: (key: string, value: string) => T;
  logger?: Logger;
  onUpsert?: (key: string, value: T) => void;
  onDelete?: (key: string, old: T) => void;
  onSynced?: () => void;
  retryMinMs?: number;
  retryMaxMs?: number;
}

interface Cached<T> {
  readonly value: T;
  /** The stored text; an unchanged text is not re-parsed nor re-announced. */
  readonly raw: string;
}

export class WatchStore<T> {
  readonly synced: Promise<void>;
  readonly #opts: WatchStoreOptions<T>;
  readonly #log: Logger;
  readonly #cache = new Map<string, Cached<T>>();
  readonly #minMs: number;
  readonly #maxMs: number;
  #resolveSynced: () => void = () => undefined;
  #isSynced = false;
  #started = false;
  #closed = false;
  /** Bumped on every (re)sync; callbacks of an older watch are ignored. */
  #generation = 0;
  #watch: KvWatch | undefined;
  #watchStartedAt = 0;
  #attempt = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(opts: WatchStoreOptions<T>) {
    this.#opts = opts;
    this.#log = opts.logger ?? createLogger({ component: 'watch-store', prefix: opts.prefix });
    this.#minMs = opts.retryMinMs ?? 100;
    this.#maxMs = Math.max(this.#minMs, opts.retryMaxMs ?? 5000);
    this.synced = new Promise((resolve) => {
      this.#resolveSynced = resolve;
    });
  }

  start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    void this.#sync();
  }

  isSynced(): boolean {
    return this.#isSynced;
  }

  get(key: string): T | undefined {
    return this.#cache.get(key)?.value;
  }

  entries(): [string, T][] {
    return [...this.#cache].map(([k, c]) => [k, c.value]);
  }

  values(): T[] {
    return [...this.#cache.values()].map((c) => c.value);
  }

  close(): void {
    this.#closed = true;
    this.#generation++;
    clearTimeout(this.#timer);
    this.#watch?.close();
    this.#watch = undefined;
  }

  /** List, reconcile the cache with the list (stale keys deleted), then watch from list revision + 1. */
  async #sync(): Promise<void> {
    const gen = ++this.#generation;
    const { kv, prefix } = this.#opts;
    let list;
    try {
      list = await kv.list(prefix);
    } catch (err) {
      if (gen === this.#generation && !this.#closed) this.#retry(`list of ${prefix} failed: ${errorMessage(err)}`);
      return;
    }
    if (gen !== this.#generation || this.#closed) return;
    const stale = new Set(this.#cache.keys());
    for (const e of list.entries) {
      stale.delete(e.key);
      this.#put(e.key, e.value, e.modRevision);
    }
    for (const key of stale) this.#remove(key);
    this.#watchStartedAt = Date.now();
    this.#watch?.close();
    const watch = kv.watch(prefix, list.revision + 1, {
      onEvents: (events) => {
        if (gen === this.#generation && !this.#closed) for (const ev of events) this.#apply(ev);
      },
      onError: (err) => {
        if (gen === this.#generation && !this.#closed) this.#retry(`watch of ${prefix} ended: ${errorMessage(err)}`);
      },
    });
    if (gen !== this.#generation) {
      watch.close(); // failed synchronously; a retry is already scheduled
      return;
    }
    this.#watch = watch;
    const first = !this.#isSynced;
    this.#isSynced = true;
    if (first) this.#resolveSynced();
    this.#call('onSynced', () => this.#opts.onSynced?.());
  }

  #retry(why: string): void {
    this.#generation++;
    this.#watch?.close();
    this.#watch = undefined;
    if (this.#watchStartedAt > 0 && Date.now() - this.#watchStartedAt > this.#maxMs) this.#attempt = 0;
    this.#watchStartedAt = 0;
    const delay = backoffDelay(this.#attempt++, this.#minMs, this.#maxMs);
    this.#log.warn('kvstore watch lost; relisting', { reason: why, retryInMs: delay });
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#sync(), delay);
  }

  #apply(ev: KvEvent): void {
    if (ev.type === 'put') this.#put(ev.key, ev.value, ev.modRevision);
    else this.#remove(ev.key);
  }

  #put(key: string, raw: string, modRevision: number): void {
    if (this.#cache.get(key)?.raw === raw) return;
    let value: T;
    try {
      value = this.#opts.parse(key, raw);
    } catch (err) {
      this.#log.warn('skipping invalid kvstore value', { key, modRevision, error: errorMessage(err) });
      this.#remove(key);
      return;
    }
    this.#cache.set(key, { value, raw });
    this.#call('onUpsert', () => this.#opts.onUpsert?.(key, value));
  }

  #remove(key: string): void {
    const cached = this.#cache.get(key);
    if (cached === undefined) return;
    this.#cache.delete(key);
    this.#call('onDelete', () => this.#opts.onDelete?.(key, cached.value));
  }

  /** A throwing handler is logged; it never stops the store. */
  #call(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#log.error(`watch-store ${what} handler threw`, { prefix: this.#opts.prefix, error: errorMessage(err) });
    }
  }
}
