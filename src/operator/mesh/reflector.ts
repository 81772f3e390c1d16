/**
 * The mesh reflector of `weft operator` (Cilium's KVStoreMesh): watches the
 * local weft/mesh/remotes/ and keeps one RemoteConnection per valid record,
 * each mirroring a remote cluster into weft/cache/<remote>/ so that agents
 * only ever read the local etcd. A changed record reconnects, a deleted one
 * disconnects (cache, status and PEM files removed); an invalid record is
 * logged and the current connection, if any, kept. Leftovers of remotes
 * disconnected while the operator was down are removed once the records are
 * listed.
 */
import { errorMessage } from '../../errors.ts';
import type { KvBackend } from '../../kvstore/backend.ts';
import { createEtcdKv } from '../../kvstore/etcd.ts';
import { keys, parseKeyOf } from '../../kvstore/keys.ts';
import { WatchStore } from '../../kvstore/watchStore.ts';
import type { Logger } from '../../util/log.ts';
import type { BackoffOptions } from '../../util/backoff.ts';
import type { MirrorWriterOptions } from './cacheMirror.ts';
import { Limiter } from './limiter.ts';
import { parseRemoteConfig, type RemoteConfig } from '../../model/remoteConfig.ts';
import { RemoteConnection, type RemoteKvFactory } from './remoteConnection.ts';
import { removeRemotePems, remotesWithPems, type RemoteIdentity } from './remotePems.ts';
import type { RemoteView } from '../../model/remoteStatus.ts';
import type { MeshMetrics } from '../../observe/operatorMetrics.ts';

export interface ReflectorOptions {
  readonly local: KvBackend;
  /** This cluster's name (a record naming it is refused). */
  readonly cluster: string;
  /** PEM files go to <stateDir>/remotes/<remote>/. */
  readonly stateDir: string;
  /** This cluster's remote identity (`remote-<self>`), presented to remotes' mesh proxies. */
  readonly identity?: RemoteIdentity | undefined;
  readonly logger: Logger;
  /** Drop a remote's cache after it has been unreachable this long (`--remote-ttl`; off by default). */
  readonly remoteTtlMs?: number | undefined;
  readonly connectRemote?: RemoteKvFactory;
  readonly backoff?: BackoffOptions;
  readonly statusIntervalMs?: number;
  readonly configPollMs?: number;
  readonly writer?: MirrorWriterOptions;
  /** How many remotes list and write their initial state at the same time (default 8): bounds peak memory. */
  readonly concurrentInitialSyncs?: number;
  /** Per remote: last sync and propagation delay (the operator's /metrics). */
  readonly metrics?: MeshMetrics | undefined;
}

export interface Reflector {
  /** Resolves once the remote records are listed (connections started). */
  readonly synced: Promise<void>;
  /** Views of the current connections (tests, benchmarks). */
  views(): RemoteView[];
  /** Resolves once every connection's queued writes and status are written. */
  flushed(): Promise<void>;
  /** Stop every connection; caches and statuses stay for the next start. */
  stop(): Promise<void>;
}

/** The default remote client: etcd over the materialised PEMs, 5 s per call. */
export const connectEtcdRemote: RemoteKvFactory = (cfg, tls) =>
  createEtcdKv({ endpoints: cfg.endpoints, ...(tls === undefined ? {} : { tls }), dialTimeoutMs: 5000 });

type Parsed = { readonly ok: true; readonly config: RemoteConfig } | { readonly ok: false; readonly error: string };

function parseRecord(key: string, value: string): Parsed {
  try {
    return { ok: true, config: parseRemoteConfig(key, value) };
  } catch (err) {
    return { ok: false, error: errorMessage(err) };
  }
}

export function startReflector(opts: ReflectorOptions): Reflector {
  const log = opts.logger.child({ component: 'reflector' });
  const conns = new Map<string, RemoteConnection>();
  /** Disconnects in progress; a reconnect of the same name waits for its removal. */
  const removals = new Map<string, Promise<void>>();
  let stopped = false;
  const initialSync = new Limiter(opts.concurrentInitialSyncs ?? 8);

  /** Start a connection for `name` with its current record (after any removal of the same name finished). */
  const open = async (name: string): Promise<void> => {
    await removals.get(name);
    const rec = store.get(keys.meshRemote(name));
    if (stopped || rec === undefined || !rec.ok) return;
    const existing = conns.get(name);
    if (existing !== undefined) {
      existing.update(rec.config);
      return;
    }
    const cfg = rec.config;
    const conn = new RemoteConnection({
      cluster: opts.cluster,
      config: cfg,
      local: opts.local,
      stateDir: opts.stateDir,
      identity: opts.identity,
      logger: log,
      connect: opts.connectRemote ?? connectEtcdRemote,
      ttlMs: opts.remoteTtlMs,
      backoff: opts.backoff,
      statusIntervalMs: opts.statusIntervalMs,
      configPollMs: opts.configPollMs,
      writer: opts.writer,
      initialSync,
      metrics: opts.metrics,
    });
    conns.set(name, conn);
    log.info('remote cluster configured', { remote: name, endpoints: cfg.endpoints });
    conn.start();
  };

  const upsert = (key: string, rec: Parsed): void => {
    if (!rec.ok) {
      log.warn('invalid remote cluster record; keeping the current connection, if any', { key, error: rec.error });
      return;
    }
    const name = rec.config.name; // the key's remote (parseRemoteConfig checks)
    if (name === opts.cluster) {
      log.error('a remote cluster record names this cluster itself; ignored', { key });
      return;
    }
    const conn = conns.get(name);
    if (conn !== undefined) conn.update(rec.config);
    else void open(name);
  };

  const remove = (name: string): void => {
    const conn = conns.get(name);
    conns.delete(name);
    opts.metrics?.forget(name);
    if (conn === undefined) return;
    const done = conn
      .remove()
      .catch((err: unknown) => log.error('disconnecting a remote cluster failed; leftovers are removed at the next start', { remote: name, error: errorMessage(err) }))
      .finally(() => removals.delete(name));
    removals.set(name, done);
  };

  /** Remove caches, statuses and PEM files of remotes that have no record (disconnected while we were down). */
  const collectLeftovers = async (): Promise<void> => {
    const configured = new Set(store.entries().flatMap(([k]) => parseKeyOf('mesh-remote', k)?.remote ?? []));
    const names = new Set(remotesWithPems(opts.stateDir));
    for (const e of (await opts.local.list(keys.meshStatusPrefix())).entries) {
      const status = parseKeyOf('mesh-status', e.key);
      if (status !== undefined) names.add(status.remote);
    }
    for (const name of names) {
      if (configured.has(name) || conns.has(name) || stopped) continue;
      await opts.local.deletePrefix(keys.cachePrefix(name));
      await opts.local.delete(keys.meshStatus(name));
      removeRemotePems(opts.stateDir, name);
      log.info('removed leftovers of a disconnected remote cluster', { remote: name });
    }
  };

  let firstSync = true;
  const store = new WatchStore<Parsed>({
    kv: opts.local,
    prefix: keys.meshRemotesPrefix(),
    parse: parseRecord,
    logger: log.child({ prefix: keys.meshRemotesPrefix() }),
    onUpsert: upsert,
    onDelete: (key) => {
      const record = parseKeyOf('mesh-remote', key);
      if (record !== undefined) remove(record.remote);
    },
    onSynced: () => {
      if (!firstSync) return;
      firstSync = false;
      collectLeftovers().catch((err: unknown) => log.warn('removing leftovers of disconnected remotes failed', { error: errorMessage(err) }));
    },
  });
  store.start();

  return {
    synced: store.synced,
    views: () => [...conns.values()].map((c) => c.view()),
    flushed: async () => {
      await Promise.all([...conns.values()].map((c) => c.flushed()));
    },
    stop: async () => {
      stopped = true;
      store.close();
      await Promise.all([...conns.values()].map((c) => c.stop()));
      conns.clear();
      await Promise.all([...removals.values()]);
    },
  };
}
