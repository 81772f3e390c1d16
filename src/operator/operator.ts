/**
 * The operator's wiring: the cluster's exports come either from the
 * standalone controllers (standalone.ts, the default) or, given `kube`, from
 * the Kubernetes API (kube/source.ts); identity GC, the sync marker and the
 * mesh reflector run in both modes.
 */
import type { DaemonHttp } from '../observe/daemonHttp.ts';
import { startReflector, type Reflector, type ReflectorOptions } from './mesh/reflector.ts';
import { createOperatorMetrics } from '../observe/operatorMetrics.ts';
import { errorMessage } from '../errors.ts';
import type { KvBackend } from '../kvstore/backend.ts';
import { keys } from '../kvstore/keys.ts';
import { Backoff } from '../util/backoff.ts';
import type { Logger } from '../util/log.ts';
import { startIdentityGc } from './identityGc.ts';
import type { KubeSourceOptions } from './kube/options.ts';
import { startKubeSource } from './kube/source.ts';
import { startStandaloneControllers, type Controllers } from './standalone.ts';

export interface OperatorOptions {
  readonly kv: KvBackend;
  readonly cluster: string;
  readonly logger: Logger;
  /** Delay between a change and the pass it triggers. Default 20 ms. */
  readonly debounceMs?: number;
  /** A pass at least this often (retries after kv errors). Default 5000 ms. */
  readonly resyncMs?: number;
  readonly randomSuffix?: () => string;
  readonly now?: () => Date;
  /** Run the mesh reflector (mirrors connected remote clusters into weft/cache/). */
  readonly reflector?: Omit<ReflectorOptions, 'local' | 'cluster' | 'logger'>;
  /** Identity garbage collection: grace period (default 30 s) and pass interval (default grace / 3). */
  readonly identityGc?: { readonly graceMs?: number; readonly intervalMs?: number };
  /** The operator's HTTP port (health; the operator adds its metrics). */
  readonly http?: DaemonHttp;
  /** Kubernetes mode: the standalone controllers are off; Services, EndpointSlices, Namespaces and policies come from this API server. */
  readonly kube?: KubeSourceOptions;
}

/** A running operator: synced, idle and stop, as its controllers (standalone or Kubernetes) are. */
export type RunningOperator = Controllers;

export function startOperator(opts: OperatorOptions): RunningOperator {
  const { kv, cluster, logger: log } = opts;
  const timing = {
    ...(opts.debounceMs === undefined ? {} : { debounceMs: opts.debounceMs }),
    ...(opts.resyncMs === undefined ? {} : { resyncMs: opts.resyncMs }),
  };
  const controllers: Controllers =
    opts.kube === undefined
      ? startStandaloneControllers({ kv, cluster, logger: log, ...timing, ...(opts.randomSuffix === undefined ? {} : { randomSuffix: opts.randomSuffix }), ...(opts.now === undefined ? {} : { now: opts.now }) })
      : startKubeSource({ kv, cluster, logger: log.child({ source: 'kubernetes' }), kube: opts.kube, ...timing });
  const synced = controllers.synced.then(() => log.info('operator synced', { cluster, mode: opts.kube === undefined ? 'standalone' : 'kubernetes' }));
  const marker = writeSyncedMarker(kv, cluster, log, opts.now);
  void synced.then(() => marker.start());
  const identityGc = startIdentityGc({ kv, cluster, logger: log.child({ component: 'identity-gc' }), ...opts.identityGc });
  const metrics = opts.http === undefined ? undefined : createOperatorMetrics({ cluster, remotes: () => reflector?.views() ?? [] });
  const reflector: Reflector | undefined =
    opts.reflector === undefined ? undefined : startReflector({ ...opts.reflector, local: kv, cluster, logger: log, metrics: metrics?.mesh });
  if (metrics !== undefined) opts.http?.route('/metrics', () => metrics.scrape());

  return {
    synced,
    idle: () => controllers.idle(),
    stop: async () => {
      marker.stop();
      await identityGc.stop();
      await reflector?.stop();
      await controllers.stop();
    },
  };
}

/**
 * The sync marker keys.synced(cluster, 'state') = ISO time, written (again on
 * every start) once the initial lists are done: remote reflectors delete
 * stale cache entries only once it exists. Retried until written.
 */
function writeSyncedMarker(kv: KvBackend, cluster: string, log: Logger, now?: () => Date): { start(): void; stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const backoff = new Backoff({ minMs: 200, maxMs: 10_000, jitter: false });
  const attempt = (): void => {
    if (stopped) return;
    kv.put(keys.synced(cluster, 'state'), (now ?? (() => new Date()))().toISOString()).then(
      () => log.info('sync marker written', { key: keys.synced(cluster, 'state') }),
      (err: unknown) => {
        if (stopped) return;
        const delay = backoff.next();
        log.warn('writing the sync marker failed; retrying', { error: errorMessage(err), retryInMs: delay });
        timer = setTimeout(attempt, delay);
      },
    );
  };
  return {
    start: attempt,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
