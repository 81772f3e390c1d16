/**
 * A resilient informer on one Kubernetes resource, built on
 * @kubernetes/client-node's ListWatch: list, then watch from the list's
 * resourceVersion; a watch that ends is resumed from the last
 * resourceVersion, and a 410 Gone (an expired resourceVersion, as an HTTP
 * status or an ERROR event) makes it relist — both done by ListWatch itself.
 * What ListWatch does not do: after an error (a refused connection, a list
 * that failed, a watch cut by a stopped API server) it only reports it and
 * stops. Here every error restarts it after a backoff as a new generation
 * that lists from scratch (a resync: objects deleted while disconnected
 * vanish from the new list); the previous generation's objects stay
 * visible until the new list is in, so a disconnect never looks like an
 * empty cluster.
 */
import { ListWatch, Watch, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import { errorMessage } from '../../errors.ts';
import { Backoff } from '../../util/backoff.ts';
import type { Logger } from '../../util/log.ts';
import { getJson } from './client.ts';

export interface InformerSpec {
  /** For logs: services, endpointslices, … */
  readonly name: string;
  /** The collection's path, e.g. /api/v1/services (all namespaces). */
  readonly path: string;
  /** Set on listed items, which the API sends without apiVersion/kind. */
  readonly apiVersion: string;
  readonly kind: string;
}

export interface InformerOptions {
  readonly kc: KubeConfig;
  readonly spec: InformerSpec;
  readonly logger: Logger;
  /** Called after any change of the objects (an add, update, delete or a new list). */
  readonly onChange: () => void;
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Tests: the watch and the list (default: client-node's Watch; GET of spec.path). */
  readonly makeWatch?: () => Watch;
  readonly list?: (path: string) => Promise<unknown>;
}

export interface InformerStats {
  /** ListWatch instances started (1 + restarts after errors). */
  readonly generations: number;
  /** Lists done, the informer's own relists (410 Gone) included. */
  readonly lists: number;
  readonly errors: number;
}

export interface KubeInformer {
  /** Resolves once the first list is in. */
  readonly synced: Promise<void>;
  isSynced(): boolean;
  /** The objects of the latest generation that has listed. */
  list(): readonly KubernetesObject[];
  stats(): InformerStats;
  stop(): Promise<void>;
}

function listObject(raw: unknown, spec: InformerSpec): KubernetesListObject<KubernetesObject> {
  const r = raw as { metadata?: { resourceVersion?: string }; items?: unknown };
  const items = Array.isArray(r.items) ? (r.items as KubernetesObject[]) : [];
  return { metadata: { resourceVersion: r.metadata?.resourceVersion ?? '' }, items: items.map((i) => ({ ...i, apiVersion: spec.apiVersion, kind: spec.kind })) };
}

export function startKubeInformer(opts: InformerOptions): KubeInformer {
  const { spec, logger: log } = opts;
  const fetchList = opts.list ?? ((path: string) => getJson(opts.kc, path));
  const makeWatch = opts.makeWatch ?? (() => new Watch(opts.kc));
  const backoff = new Backoff({ minMs: opts.minBackoffMs ?? 500, maxMs: opts.maxBackoffMs ?? 10_000 });
  let current: ListWatch<KubernetesObject> | undefined;
  let serving: ListWatch<KubernetesObject> | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const stats = { generations: 0, lists: 0, errors: 0 };
  let markSynced: () => void = () => undefined;
  const synced = new Promise<void>((resolve) => (markSynced = resolve));

  const startGeneration = (): void => {
    if (stopped) return;
    stats.generations++;
    const generation = stats.generations;
    const lw: ListWatch<KubernetesObject> = new ListWatch(
      spec.path,
      makeWatch(),
      async () => {
        const list = listObject(await fetchList(spec.path), spec);
        if (lw !== current) return list;
        stats.lists++;
        backoff.reset();
        log.info(serving === lw ? 'relisted (the watch expired: 410 Gone)' : 'listed', { resource: spec.name, objects: list.items.length, resourceVersion: list.metadata?.resourceVersion ?? '', generation });
        // ListWatch stores the items right after this resolves: serve them from the next turn on.
        setImmediate(() => {
          if (lw !== current) return;
          serving = lw;
          markSynced();
          opts.onChange();
        });
        return list;
      },
      false,
    );
    current = lw;
    const changed = (): void => {
      if (lw === serving) opts.onChange();
    };
    lw.on('add', changed);
    lw.on('update', changed);
    lw.on('delete', changed);
    lw.on('error', (err: unknown) => {
      if (lw !== current || stopped) return;
      stats.errors++;
      const delay = backoff.next();
      log.warn('list/watch failed; relisting after a backoff', { resource: spec.name, error: errorMessage(err), retryInMs: delay, generation });
      current = undefined;
      void lw.stop();
      timer = setTimeout(startGeneration, delay);
    });
    lw.start().catch((err: unknown) => log.warn('informer start failed', { resource: spec.name, error: errorMessage(err) }));
  };
  startGeneration();

  return {
    synced,
    isSynced: () => serving !== undefined,
    list: () => serving?.list() ?? [],
    stats: () => ({ ...stats }),
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      const all = new Set([current, serving]);
      current = undefined;
      for (const lw of all) await lw?.stop();
    },
  };
}
