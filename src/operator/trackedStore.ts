/**
 * A WatchStore plus the operator's own writes that the watch has not shown
 * yet (read-your-writes): a controller pass right after a write sees it, so
 * a pod is never created twice because its watch event was still in flight.
 * A pending write is dropped when the watch shows that key, or after ttlMs.
 */
import type { KvBackend } from '../kvstore/backend.ts';
import { WatchStore } from '../kvstore/watchStore.ts';
import type { Logger } from '../util/log.ts';

export interface TrackedStoreOptions<T> {
  readonly kv: KvBackend;
  readonly prefix: string;
  readonly parse: (key: string, value: string) => T;
  readonly logger: Logger;
  /** Called on every change the watch reports. */
  readonly onChange: () => void;
  readonly ttlMs?: number;
  readonly now?: () => number;
}

interface Pending<T> {
  /** undefined = deleted */
  readonly value: T | undefined;
  readonly at: number;
}

export class TrackedStore<T> {
  readonly store: WatchStore<T>;
  readonly #pending = new Map<string, Pending<T>>();
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(opts: TrackedStoreOptions<T>) {
    this.#ttlMs = opts.ttlMs ?? 15_000;
    this.#now = opts.now ?? Date.now;
    this.store = new WatchStore<T>({
      kv: opts.kv,
      prefix: opts.prefix,
      parse: opts.parse,
      logger: opts.logger,
      onUpsert: (key) => {
        // a put clears a pending put; a pending delete waits for the delete
        if (this.#pending.get(key)?.value !== undefined) this.#pending.delete(key);
        opts.onChange();
      },
      onDelete: (key) => {
        this.#pending.delete(key);
        opts.onChange();
      },
      onSynced: opts.onChange,
    });
  }

  start(): void {
    this.store.start();
  }

  isSynced(): boolean {
    return this.store.isSynced();
  }

  close(): void {
    this.store.close();
    this.#pending.clear();
  }

  /** Record a write of ours that the watch will show later. */
  wrote(key: string, value: T): void {
    this.#pending.set(key, { value, at: this.#now() });
  }

  deleted(key: string): void {
    this.#pending.set(key, { value: undefined, at: this.#now() });
  }

  /** The watched entries with our pending writes laid over them. */
  entries(): [string, T][] {
    const now = this.#now();
    const out = new Map(this.store.entries());
    for (const [key, p] of this.#pending) {
      if (now - p.at > this.#ttlMs) {
        this.#pending.delete(key);
        continue;
      }
      if (p.value === undefined) out.delete(key);
      else out.set(key, p.value);
    }
    return [...out];
  }

  values(): T[] {
    return this.entries().map(([, v]) => v);
  }

  get(key: string): T | undefined {
    const p = this.#pending.get(key);
    if (p !== undefined && this.#now() - p.at <= this.#ttlMs) return p.value;
    return this.store.get(key);
  }
}
