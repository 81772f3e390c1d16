/**
 * The key-value backend every component talks to. Implemented by the etcd
 * backend (real) and the in-memory fake (unit tests); both pass the same
 * contract suite (backend.contract.ts).
 */
export interface KvEntry {
  readonly key: string;
  readonly value: string;
  /** Revision at which this key was last modified. */
  readonly modRevision: number;
}

export interface KvList {
  readonly entries: readonly KvEntry[];
  /** Store revision the list was read at; watch from revision + 1. */
  readonly revision: number;
}

export type KvEvent =
  | { readonly type: 'put'; readonly key: string; readonly value: string; readonly modRevision: number }
  | { readonly type: 'delete'; readonly key: string; readonly modRevision: number };

/** One operation of an atomic transaction. */
export type KvOp =
  | { readonly op: 'put'; readonly key: string; readonly value: string }
  | { readonly op: 'delete'; readonly key: string }
  | { readonly op: 'deletePrefix'; readonly prefix: string };

/** A guard of a transaction: the key's modRevision must equal the value (0 = key absent). */
export interface KvCompare {
  readonly key: string;
  readonly modRevision: number;
}

export interface KvWatchHandlers {
  /** Events in revision order. */
  onEvents(events: readonly KvEvent[]): void;
  /**
   * The watch ended and cannot continue from where it was (disconnect,
   * compaction, backend closed). The owner lists again and re-watches.
   */
  onError(err: Error): void;
}

export interface KvWatch {
  close(): void;
}

export interface KvBackend {
  get(key: string): Promise<KvEntry | undefined>;
  list(prefix: string): Promise<KvList>;
  /** Returns the revision of the write. */
  put(key: string, value: string): Promise<number>;
  /** True when the key existed. */
  delete(key: string): Promise<boolean>;
  /** Number of keys deleted. */
  deletePrefix(prefix: string): Promise<number>;
  /**
   * All ops applied atomically if every compare holds; nothing otherwise.
   * Returns whether it was applied.
   */
  txn(compares: readonly KvCompare[], ops: readonly KvOp[]): Promise<boolean>;
  /** Watch a prefix starting at `fromRevision` (inclusive). */
  watch(prefix: string, fromRevision: number, handlers: KvWatchHandlers): KvWatch;
  close(): Promise<void>;
}
