/**
 * In-memory KvBackend with etcd semantics: one store revision that grows by
 * one per write (a txn is one write), a modRevision per key, history kept
 * for watches from an older revision until `compact`. Unit tests use it in
 * place of etcd; it passes the same contract suite (backend.contract.ts).
 */
import { WeftError, ErrorCode } from '../errors.ts';
import type { KvBackend, KvCompare, KvEntry, KvEvent, KvList, KvOp, KvWatch, KvWatchHandlers } from './backend.ts';

interface MemoryWatch {
  readonly prefix: string;
  /** First revision this watch reports. */
  readonly from: number;
  readonly handlers: KvWatchHandlers;
  /** Batches (one per revision) waiting to be delivered. */
  readonly pending: KvEvent[][];
  scheduled: boolean;
  open: boolean;
}

export class MemoryKv implements KvBackend {
  readonly #data = new Map<string, KvEntry>();
  /** Events of every write since the compaction revision, one batch per revision. */
  #history: { revision: number; events: KvEvent[] }[] = [];
  readonly #watches = new Set<MemoryWatch>();
  #revision = 1;
  #compacted = 0;
  #closed = false;

  get(key: string): Promise<KvEntry | undefined> {
    return this.#run(() => this.#data.get(key));
  }

  list(prefix: string): Promise<KvList> {
    return this.#run(() => {
      const entries = [...this.#data.values()].filter((e) => e.key.startsWith(prefix)).sort((a, b) => cmp(a.key, b.key));
      return { entries, revision: this.#revision };
    });
  }

  put(key: string, value: string): Promise<number> {
    return this.#run(() => {
      this.#apply([{ op: 'put', key, value }]);
      return this.#revision;
    });
  }

  delete(key: string): Promise<boolean> {
    return this.#run(() => this.#apply([{ op: 'delete', key }]) > 0);
  }

  deletePrefix(prefix: string): Promise<number> {
    return this.#run(() => this.#apply([{ op: 'deletePrefix', prefix }]));
  }

  txn(compares: readonly KvCompare[], ops: readonly KvOp[]): Promise<boolean> {
    return this.#run(() => {
      const holds = compares.every((c) => (this.#data.get(c.key)?.modRevision ?? 0) === c.modRevision);
      if (holds) this.#apply(ops);
      return holds;
    });
  }

  watch(prefix: string, fromRevision: number, handlers: KvWatchHandlers): KvWatch {
    // Revision 0 means "from now", like etcd.
    const from = fromRevision > 0 ? fromRevision : this.#revision + 1;
    const w: MemoryWatch = { prefix, from, handlers, pending: [], scheduled: false, open: true };
    if (this.#closed) {
      this.#fail(w, new WeftError(ErrorCode.KvUnavailable, 'memory kv is closed'));
      return { close: () => void (w.open = false) };
    }
    if (fromRevision > 0 && fromRevision < this.#compacted) {
      const msg = `watch of "${prefix}" from revision ${fromRevision}: required revision has been compacted (compacted at ${this.#compacted})`;
      this.#fail(w, new WeftError(ErrorCode.KvUnavailable, msg));
      return { close: () => void (w.open = false) };
    }
    for (const h of this.#history) {
      if (h.revision < from) continue;
      const events = h.events.filter((e) => e.key.startsWith(prefix));
      if (events.length > 0) w.pending.push(events);
    }
    this.#watches.add(w);
    this.#schedule(w);
    return {
      close: () => {
        w.open = false;
        this.#watches.delete(w);
      },
    };
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    this.#failAll(new WeftError(ErrorCode.KvUnavailable, 'memory kv is closed'));
    return Promise.resolve();
  }

  /** Forget history before `revision`: later watches from an older revision fail via onError. */
  compact(revision: number): void {
    if (revision > this.#revision) {
      throw new WeftError(ErrorCode.InvalidInput, `cannot compact at revision ${revision}: the store is at revision ${this.#revision}`);
    }
    this.#compacted = Math.max(this.#compacted, revision);
    this.#history = this.#history.filter((h) => h.revision >= this.#compacted);
  }

  /** Simulate a disconnect: every open watch gets onError and ends. */
  breakWatches(): void {
    this.#failAll(new WeftError(ErrorCode.KvUnavailable, 'memory kv watch broken (simulated disconnect)'));
  }

  /** The current store revision (tests). */
  get revision(): number {
    return this.#revision;
  }

  /** Apply ops as one write; returns the number of keys changed (0 = no new revision). */
  #apply(ops: readonly KvOp[]): number {
    const rev = this.#revision + 1;
    const events: KvEvent[] = [];
    const remove = (key: string): void => {
      if (this.#data.delete(key)) events.push({ type: 'delete', key, modRevision: rev });
    };
    for (const op of ops) {
      switch (op.op) {
        case 'put':
          this.#data.set(op.key, { key: op.key, value: op.value, modRevision: rev });
          events.push({ type: 'put', key: op.key, value: op.value, modRevision: rev });
          break;
        case 'delete':
          remove(op.key);
          break;
        case 'deletePrefix':
          for (const key of [...this.#data.keys()].filter((k) => k.startsWith(op.prefix)).sort(cmp)) remove(key);
          break;
      }
    }
    if (events.length === 0) return 0;
    this.#revision = rev;
    this.#history.push({ revision: rev, events });
    for (const w of this.#watches) {
      if (rev < w.from) continue;
      const mine = events.filter((e) => e.key.startsWith(w.prefix));
      if (mine.length === 0) continue;
      w.pending.push(mine);
      this.#schedule(w);
    }
    return events.length;
  }

  #schedule(w: MemoryWatch): void {
    if (w.scheduled || w.pending.length === 0) return;
    w.scheduled = true;
    setImmediate(() => {
      w.scheduled = false;
      while (w.open && w.pending.length > 0) {
        const batch = w.pending.shift();
        if (batch !== undefined) w.handlers.onEvents(batch);
      }
    });
  }

  #failAll(err: Error): void {
    for (const w of [...this.#watches]) this.#fail(w, err);
  }

  /** End a watch with an error; undelivered events are dropped, as on a real disconnect. */
  #fail(w: MemoryWatch, err: Error): void {
    this.#watches.delete(w);
    w.pending.length = 0;
    setImmediate(() => {
      if (!w.open) return;
      w.open = false;
      w.handlers.onError(err);
    });
  }

  /** Run an operation as a promise; rejects once the store is closed. */
  #run<T>(fn: () => T): Promise<T> {
    if (this.#closed) return Promise.reject(new WeftError(ErrorCode.KvUnavailable, 'memory kv is closed'));
    return Promise.resolve(fn());
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
