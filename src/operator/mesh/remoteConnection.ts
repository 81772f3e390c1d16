/**
 * The life of one remote cluster in the reflector: PEMs to disk, connect,
 * mirror, reconnect with jittered backoff (1 s → 30 s) while keeping the
 * last-known cache, count failures (a remote proxy that has no record of
 * this cluster yet is waited for, not counted), optionally drop the cache after ttlMs
 * unreachable, reconnect on a changed RemoteConfig, and — on disconnect —
 * delete the cache, the status and the PEM files.
 */
import { errorMessage } from '../../errors.ts';
import type { KvBackend } from '../../kvstore/backend.ts';
import type { EtcdTls } from '../../kvstore/etcd.ts';
import { keys } from '../../kvstore/keys.ts';
import type { Logger } from '../../util/log.ts';
import { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from '../../util/backoff.ts';
import { CacheMirror, type MirrorWriterOptions } from './cacheMirror.ts';
import type { Limiter } from './limiter.ts';
import { sameRemoteConfig, type RemoteConfig } from '../../model/remoteConfig.ts';
import { removeRemotePems, writeRemotePems, type RemoteIdentity } from './remotePems.ts';
import { remoteStatusOf, type RemoteView } from '../../model/remoteStatus.ts';
import { StatusWriter } from './statusWriter.ts';
import type { MeshMetrics } from '../../observe/operatorMetrics.ts';
import { isNotAdmittedYet } from '../../meshproxy/authorize.ts';

/** Opens the client for a remote (the default is createEtcdKv over the materialised PEMs). */
export type RemoteKvFactory = (cfg: RemoteConfig, tls: EtcdTls | undefined) => KvBackend;

export interface RemoteConnectionOptions {
  /** This cluster's name (to tell the remote proxy's "no record of us yet" from a failure). */
  readonly cluster: string;
  readonly config: RemoteConfig;
  readonly local: KvBackend;
  readonly stateDir: string;
  /** This cluster's client certificate toward remotes' mesh proxies (needed for https remotes). */
  readonly identity?: RemoteIdentity | undefined;
  readonly logger: Logger;
  readonly connect: RemoteKvFactory;
  /** Drop the cache after the remote has been unreachable this long (off when undefined). */
  readonly ttlMs?: number | undefined;
  readonly backoff?: BackoffOptions | undefined;
  readonly statusIntervalMs?: number | undefined;
  readonly configPollMs?: number | undefined;
  readonly writer?: MirrorWriterOptions | undefined;
  readonly initialSync?: Limiter | undefined;
  /** Last sync, failures and propagation delay (the operator's /metrics). */
  readonly metrics?: MeshMetrics | undefined;
}

export class RemoteConnection {
  readonly name: string;
  readonly #opts: RemoteConnectionOptions;
  readonly #log: Logger;
  readonly #mirror: CacheMirror;
  readonly #status: StatusWriter;
  readonly #backoff: Backoff;
  #config: RemoteConfig;
  #kv: KvBackend | undefined;
  #gen = 0;
  #loaded = false;
  #closed = false;
  #connected = false;
  #connectedAt = 0;
  #connectedSince = '';
  #failures = 0;
  #lastFailure = '';
  #lastFailureAt = '';
  #unreachableSince: number | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #ttlTimer: NodeJS.Timeout | undefined;
  #cacheDropped = false;
  /** Ends a wait of #load early (stop). */
  #wake: () => void = () => undefined;

  constructor(opts: RemoteConnectionOptions) {
    this.#opts = opts;
    this.#config = opts.config;
    this.name = opts.config.name;
    this.#log = opts.logger.child({ remote: this.name });
    this.#backoff = new Backoff(opts.backoff ?? DEFAULT_BACKOFF);
    this.#status = new StatusWriter({ kv: opts.local, key: keys.meshStatus(this.name), logger: this.#log, ...(opts.statusIntervalMs === undefined ? {} : { minIntervalMs: opts.statusIntervalMs }) });
    this.#mirror = new CacheMirror({
      remote: this.name,
      local: opts.local,
      logger: this.#log,
      onChange: () => this.#report(),
      ...(opts.configPollMs === undefined ? {} : { configPollMs: opts.configPollMs }),
      ...(opts.writer === undefined ? {} : { writer: opts.writer }),
      initialSync: opts.initialSync,
      onCommitted: () => opts.metrics?.synced(this.name),
      onPropagated: (seconds) => opts.metrics?.propagated(this.name, seconds),
    });
  }

  /** Read the local cache, then connect. */
  start(): void {
    this.#unreachableSince = Date.now();
    this.#armTtl();
    this.#report();
    void this.#load();
  }

  /** A new RemoteConfig: reconnect when it reaches the remote differently; the cache is kept. */
  update(cfg: RemoteConfig): void {
    if (sameRemoteConfig(this.#config, cfg)) return;
    this.#config = cfg;
    if (!this.#loaded || this.#closed) return;
    this.#log.info('remote cluster configuration changed; reconnecting', { endpoints: cfg.endpoints });
    this.#endSession();
    this.#backoff.reset();
    this.#connect();
  }

  view(): RemoteView {
    return {
      name: this.name,
      connected: this.#connected,
      listed: this.#mirror.isListed(),
      markerSeen: this.#mirror.isMarkerSeen(),
      counts: this.#mirror.counts(),
      failures: this.#failures,
      lastFailure: this.#lastFailure,
      lastFailureAt: this.#lastFailureAt,
      connectedSince: this.#connectedSince,
    };
  }

  /** Resolves once queued cache writes and the status are written (tests, benchmarks). */
  async flushed(): Promise<void> {
    await this.#mirror.flushed();
    this.#report();
    await this.#status.flush();
  }

  /** Stop (operator shutdown): the cache and status stay for the next start. */
  async stop(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#ttlTimer);
    this.#wake();
    this.#endSession();
    await this.#mirror.close();
    await this.#status.close();
  }

  /** Disconnect: stop, then delete the cache, the status and the PEM files. Throws when the local etcd refuses. */
  async remove(): Promise<void> {
    await this.stop();
    await this.#opts.local.deletePrefix(keys.cachePrefix(this.name));
    await this.#status.remove();
    removeRemotePems(this.#opts.stateDir, this.name);
    this.#log.info('remote cluster disconnected: cache, status and credentials removed');
  }

  async #load(): Promise<void> {
    while (!this.#closed) {
      try {
        await this.#mirror.loadLocal();
        break;
      } catch (err) {
        const delay = this.#backoff.next();
        this.#log.warn('cannot read the local cache of the remote cluster; retrying', { retryInMs: delay, error: errorMessage(err) });
        await new Promise<void>((resolve) => {
          this.#retryTimer = setTimeout(resolve, delay);
          this.#wake = resolve;
        });
      }
    }
    if (this.#closed) return;
    this.#loaded = true;
    this.#backoff.reset();
    this.#connect();
  }

  #connect(): void {
    if (this.#closed) return;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    const gen = ++this.#gen;
    let kv: KvBackend;
    try {
      kv = this.#opts.connect(this.#config, writeRemotePems(this.#opts.stateDir, this.#config, this.#opts.identity));
    } catch (err) {
      this.#failed(gen, err);
      return;
    }
    this.#kv = kv;
    this.#mirror.attach(kv, { onListed: () => this.#listed(gen), onFailed: (err) => this.#failed(gen, err) });
  }

  #listed(gen: number): void {
    if (gen !== this.#gen || this.#closed) return;
    this.#connected = true;
    this.#connectedAt = Date.now();
    this.#connectedSince = new Date().toISOString();
    this.#unreachableSince = undefined;
    this.#cacheDropped = false;
    clearTimeout(this.#ttlTimer);
    this.#ttlTimer = undefined;
    this.#opts.metrics?.synced(this.name);
    this.#log.info('connected to remote cluster', { endpoints: this.#config.endpoints });
    this.#report();
  }

  #failed(gen: number, err: unknown): void {
    if (gen !== this.#gen || this.#closed) return;
    const wasUpFor = this.#connected ? Date.now() - this.#connectedAt : 0;
    this.#endSession();
    // A connection that held for a while starts over at the shortest delay.
    if (wasUpFor >= (this.#opts.backoff ?? DEFAULT_BACKOFF).maxMs) this.#backoff.reset();
    const message = errorMessage(err);
    const waiting = isNotAdmittedYet(message, this.#opts.cluster, this.name);
    if (!waiting) this.#failures++;
    this.#lastFailure = waiting ? `waiting for ${this.name} to admit ${this.#opts.cluster} (its record of this cluster, written by \`weft clustermesh connect\`): ${message}` : message;
    this.#lastFailureAt = new Date().toISOString();
    this.#unreachableSince ??= Date.now();
    this.#armTtl();
    const delay = this.#backoff.next();
    if (waiting) this.#log.info('the remote cluster has no record of this cluster yet; waiting', { retryInMs: delay, error: message });
    else this.#log.warn('remote cluster unreachable; keeping the last-known cache', { failures: this.#failures, retryInMs: delay, error: this.#lastFailure });
    this.#retryTimer = setTimeout(() => this.#connect(), delay);
    this.#report();
  }

  /** End the current session and client (the cache stays). */
  #endSession(): void {
    this.#gen++;
    this.#mirror.detach();
    this.#connected = false;
    this.#connectedSince = '';
    const kv = this.#kv;
    this.#kv = undefined;
    void kv?.close();
  }

  #armTtl(): void {
    const ttl = this.#opts.ttlMs;
    if (ttl === undefined || this.#ttlTimer !== undefined || this.#unreachableSince === undefined || this.#cacheDropped) return;
    this.#ttlTimer = setTimeout(() => void this.#expire(), Math.max(0, this.#unreachableSince + ttl - Date.now()));
  }

  async #expire(): Promise<void> {
    this.#ttlTimer = undefined;
    if (this.#connected || this.#closed || this.#cacheDropped) return;
    const since = new Date(this.#unreachableSince ?? Date.now()).toISOString();
    try {
      await this.#mirror.dropCache();
      this.#cacheDropped = !this.#connected;
      this.#log.warn('remote cluster unreachable for longer than the TTL: its cache was dropped', { unreachableSince: since, ttlMs: this.#opts.ttlMs });
    } catch (err) {
      this.#log.warn('dropping the cache of an unreachable remote cluster failed; retrying', { error: errorMessage(err) });
      if (!this.#closed) this.#ttlTimer = setTimeout(() => void this.#expire(), 1000);
    }
    this.#report();
  }

  #report(): void {
    if (this.#closed) return;
    this.#status.update(remoteStatusOf(this.view()));
  }
}
