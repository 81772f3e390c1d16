/**
 * Mirrors one remote cluster into the local etcd (the KVStoreMesh design):
 * list the remote's weft/state/ and weft/cluster-config/<remote>, then watch;
 * every key whose cluster segment is the remote goes to
 * weft/cache/<remote>/… through a CacheWriter (batched, unchanged values
 * skipped). What the local cache already holds is read once at start, so a
 * restarted operator resyncs instead of wiping the cache: keys the remote no
 * longer has are deleted only after a full list of the current connection AND
 * once the remote's sync marker weft/synced/<remote>/state exists (before it,
 * a half-filled remote would make us drop good entries). Invalid remote
 * values are logged and treated as absent.
 *
 * One attach() = one connection's session; the owner (RemoteConnection)
 * reconnects on onFailed and attaches again.
 */
import { errorMessage } from '../../errors.ts';
import type { KvBackend, KvEvent, KvWatch } from '../../kvstore/backend.ts';
import { keys } from '../../kvstore/keys.ts';
import type { Logger } from '../../util/log.ts';
import { CacheWriter, type CacheWriterOptions } from './cacheWriter.ts';
import type { Limiter } from './limiter.ts';
import { checkMirrorValue, mirrorKindOf, STATE_PREFIX, statusKindOfCacheKey } from './mirrorKeys.ts';
import { STATUS_KINDS, type KindCounts } from '../../model/remoteStatus.ts';

export type MirrorWriterOptions = Pick<CacheWriterOptions, 'maxOps' | 'maxBytes' | 'maxInFlight' | 'retry'>;

export interface CacheMirrorOptions {
  readonly remote: string;
  readonly local: KvBackend;
  readonly logger: Logger;
  /** Something the status shows has changed (counts, listed, marker). */
  readonly onChange: () => void;
  /**
   * How often the remote's cluster config is read again. It is a single key
   * the `remote` user may read but not watch as a prefix. Default 10 s.
   */
  readonly configPollMs?: number;
  readonly writer?: MirrorWriterOptions;
  /** Shared by all remotes: bounds how many do their initial list and first write at once. */
  readonly initialSync?: Limiter | undefined;
  /** After each committed write to the local cache (the operator's last-sync metric). */
  readonly onCommitted?: (() => void) | undefined;
  /** Seconds from a live change of the remote seen to its write to the local cache committed. */
  readonly onPropagated?: ((seconds: number) => void) | undefined;
}

export interface SessionEvents {
  /** The first full list of this session is in (its writes may still be queued). */
  onListed(): void;
  /** The session ended (list, watch or poll failed); call attach() again to resync. */
  onFailed(err: unknown): void;
}

export class CacheMirror {
  readonly #opts: CacheMirrorOptions;
  readonly #remote: string;
  readonly #writer: CacheWriter;
  readonly #configKey: string;
  readonly #markerKey: string;
  readonly #markerPrefix: string;
  #gen = 0;
  #watches: KvWatch[] = [];
  #pollTimer: NodeJS.Timeout | undefined;
  /** Cache keys the last full list did not have; deleted once the marker is seen. */
  #stale: Set<string> | undefined;
  #listed = false;
  #markerSeen = false;
  #closed = false;
  #polling = false;

  constructor(opts: CacheMirrorOptions) {
    this.#opts = opts;
    this.#remote = opts.remote;
    this.#configKey = keys.clusterConfig(opts.remote);
    this.#markerKey = keys.synced(opts.remote, 'state');
    this.#markerPrefix = keys.syncedPrefix(opts.remote);
    this.#writer = new CacheWriter({
      ...opts.writer,
      kv: opts.local,
      logger: opts.logger,
      classify: (k) => statusKindOfCacheKey(opts.remote, k),
      onCommitted: () => {
        opts.onCommitted?.();
        opts.onChange();
      },
      ...(opts.onPropagated === undefined ? {} : { onPropagated: opts.onPropagated }),
    });
  }

  /** Read what the local cache holds (once, before the first attach). */
  async loadLocal(): Promise<void> {
    const list = await this.#opts.local.list(keys.cachePrefix(this.#remote));
    this.#writer.load(list.entries);
    this.#opts.onChange();
  }

  /** Start a session on `kv`: list, reconcile, watch. Ends any previous session. */
  attach(kv: KvBackend, events: SessionEvents): void {
    this.detach();
    const gen = ++this.#gen;
    void this.#session(kv, gen, events);
  }

  /** End the current session; the cache keeps what it holds. */
  detach(): void {
    this.#gen++;
    for (const w of this.#watches) w.close();
    this.#watches = [];
    clearInterval(this.#pollTimer);
    this.#pollTimer = undefined;
    this.#stale = undefined;
    this.#listed = false;
    this.#markerSeen = false;
  }

  /** The current session's first full list is written to the local cache. */
  isListed(): boolean {
    return this.#listed;
  }

  isMarkerSeen(): boolean {
    return this.#markerSeen;
  }

  counts(): KindCounts {
    const c = {} as KindCounts;
    for (const k of STATUS_KINDS) c[k] = this.#writer.count(k);
    return c;
  }

  /** Resolves once every queued local write is done (tests, benchmarks). */
  flushed(): Promise<void> {
    return this.#writer.flushed();
  }

  /** Delete the whole local cache of this remote (TTL expiry, disconnect). Throws when the local delete fails. */
  async dropCache(): Promise<void> {
    this.#stale = undefined;
    await this.#writer.dropAll(keys.cachePrefix(this.#remote));
  }

  /** End the session and stop writing (queued writes are dropped; the next start resyncs). */
  async close(): Promise<void> {
    this.#closed = true;
    this.detach();
    await this.#writer.close();
  }

  async #session(kv: KvBackend, gen: number, ev: SessionEvents): Promise<void> {
    const release = (await this.#opts.initialSync?.acquire()) ?? ((): void => undefined);
    try {
      await this.#listAndWatch(kv, gen, ev);
    } catch (err) {
      if (gen === this.#gen && !this.#closed) ev.onFailed(err);
    } finally {
      release();
    }
  }

  /** List, reconcile, watch; resolves once the list's writes are done (or the session ended). */
  async #listAndWatch(kv: KvBackend, gen: number, ev: SessionEvents): Promise<void> {
    const live = (): boolean => gen === this.#gen && !this.#closed;
    if (!live()) return;
    let lists;
    try {
      lists = await Promise.all([kv.list(STATE_PREFIX), kv.get(this.#configKey), kv.list(this.#markerPrefix)]);
    } catch (err) {
      if (live()) ev.onFailed(err);
      return;
    }
    if (!live()) return;
    const [state, config, marker] = lists;
    const seen = new Set<string>();
    for (const e of state.entries) this.#fromList(e.key, e.value, seen);
    if (config !== undefined) this.#fromList(config.key, config.value, seen);
    this.#stale = new Set(this.#writer.keys().filter((k) => !seen.has(k)));
    this.#markerSeen = marker.entries.some((e) => e.key === this.#markerKey);
    this.#deleteStaleIfSafe();

    const handlers = (apply: (e: KvEvent) => void) => ({
      onEvents: (events: readonly KvEvent[]) => {
        if (live()) for (const e of events) apply(e);
      },
      onError: (err: Error) => {
        if (live()) ev.onFailed(err);
      },
    });
    this.#watches = [
      kv.watch(STATE_PREFIX, state.revision + 1, handlers((e) => this.#apply(e))),
      kv.watch(this.#markerPrefix, marker.revision + 1, handlers((e) => this.#markerEvent(e))),
    ];
    this.#pollTimer = setInterval(() => void this.#pollConfig(kv, live, ev), this.#opts.configPollMs ?? 10_000);
    ev.onListed();
    await this.#writer.flushed();
    if (!live()) return;
    this.#listed = true;
    this.#opts.onChange();
  }

  /** One entry of a full list: mirrored when valid; `seen` collects the cache keys the remote has. */
  #fromList(key: string, value: string, seen: Set<string>): void {
    const cacheKey = this.#accept(key, value);
    if (cacheKey !== undefined) {
      this.#writer.put(cacheKey, value);
      seen.add(cacheKey);
    }
  }

  /** The cache key of a valid mirrored entry; undefined (logged when invalid) otherwise. */
  #accept(key: string, value: string): string | undefined {
    const kind = mirrorKindOf(this.#remote, key);
    if (kind === undefined) return undefined;
    try {
      checkMirrorValue(this.#remote, kind, key, value);
    } catch (err) {
      this.#opts.logger.warn('skipping invalid value from remote cluster', { remote: this.#remote, key, error: errorMessage(err) });
      return undefined;
    }
    return keys.cacheOf(this.#remote, key);
  }

  /** A live change: mirrored at once (an invalid value removes the cached one). */
  #apply(e: KvEvent): void {
    if (mirrorKindOf(this.#remote, e.key) === undefined) return;
    const cacheKey = keys.cacheOf(this.#remote, e.key);
    this.#stale?.delete(cacheKey);
    if (e.type === 'put' && this.#accept(e.key, e.value) !== undefined) this.#writer.put(cacheKey, e.value, performance.now());
    else this.#writer.delete(cacheKey);
  }

  #markerEvent(e: KvEvent): void {
    if (e.key !== this.#markerKey) return;
    const seen = e.type === 'put';
    if (seen === this.#markerSeen) return;
    this.#markerSeen = seen;
    this.#deleteStaleIfSafe();
    this.#opts.onChange();
  }

  #deleteStaleIfSafe(): void {
    if (this.#stale === undefined || !this.#markerSeen) return;
    const stale = this.#stale;
    this.#stale = undefined;
    for (const k of stale) this.#writer.delete(k);
    if (stale.size > 0) this.#opts.logger.info('deleted cache entries the remote cluster no longer has', { remote: this.#remote, count: stale.size });
  }

  async #pollConfig(kv: KvBackend, live: () => boolean, ev: SessionEvents): Promise<void> {
    if (this.#polling || !live()) return;
    this.#polling = true;
    try {
      const e = await kv.get(this.#configKey);
      if (!live()) return;
      this.#apply(e === undefined ? { type: 'delete', key: this.#configKey, modRevision: 0 } : { type: 'put', key: e.key, value: e.value, modRevision: e.modRevision });
    } catch (err) {
      if (live()) ev.onFailed(err);
    } finally {
      this.#polling = false;
    }
  }
}
