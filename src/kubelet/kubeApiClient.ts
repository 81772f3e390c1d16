/**
 * KubeletApi over @kubernetes/client-node: typed API clients from the node's
 * kubeconfig, the pod informer a ListWatch with fieldSelector
 * spec.nodeName=<node> (list, then watch from the list's resourceVersion;
 * relist on 410 Gone). client-node stops the ListWatch on any other error, so
 * it is restarted here after a delay (a resync after a disconnect).
 */
import { CoordinationV1Api, CoreV1Api, KubeConfig, ListWatch, PatchStrategy, Watch, setHeaderOptions } from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../util/log.ts';
import { errorMessage } from '../errors.ts';
import { IN_CLUSTER, loadInClusterConfig } from '../kube/inCluster.ts';
import { apiStatusCode, type KubeletApi, type PodWatch } from './kubeApi.ts';

const RESTART_WATCH_MS = 1000;

async function orUndefined<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (err) {
    if (apiStatusCode(err) === 404) return undefined;
    throw err;
  }
}

/** A kubeconfig file, or `in-cluster`: the pod's service account. */
export function loadKubeConfig(file: string): KubeConfig {
  if (file === IN_CLUSTER) return loadInClusterConfig();
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  return kc;
}

export function createKubeletApi(kc: KubeConfig, logger: Logger): KubeletApi {
  const core = kc.makeApiClient(CoreV1Api);
  const coordination = kc.makeApiClient(CoordinationV1Api);
  const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  return {
    getNode: (name) => orUndefined(core.readNode({ name })),
    createNode: (node) => core.createNode({ body: node }),
    patchNodeStatus: async (name, status) => {
      await core.patchNodeStatus({ name, body: { status } }, mergePatch);
    },
    getLease: (namespace, name) => orUndefined(coordination.readNamespacedLease({ namespace, name })),
    createLease: async (lease) => {
      await coordination.createNamespacedLease({ namespace: lease.metadata?.namespace ?? '', body: lease });
    },
    replaceLease: async (lease) => {
      await coordination.replaceNamespacedLease({ namespace: lease.metadata?.namespace ?? '', name: lease.metadata?.name ?? '', body: lease });
    },
    watchPods: (node, onChange) => {
      const fieldSelector = `spec.nodeName=${node}`;
      let synced = false;
      let stopped = false;
      const lw = new ListWatch<V1Pod>('/api/v1/pods', new Watch(kc), () => core.listPodForAllNamespaces({ fieldSelector }), false, undefined, fieldSelector);
      const start = (): void => {
        void lw.start().then(() => {
          if (lw.latestResourceVersion() !== '') synced = true;
          onChange();
        });
      };
      lw.on('add', onChange);
      lw.on('update', onChange);
      lw.on('delete', onChange);
      lw.on('error', (err: unknown) => {
        if (stopped) return;
        logger.warn('pod watch failed, restarting', { err: errorMessage(err), inMs: RESTART_WATCH_MS });
        setTimeout(() => {
          if (!stopped) start();
        }, RESTART_WATCH_MS).unref();
      });
      start();
      const watch: PodWatch = {
        list: () => lw.list(),
        get: (namespace, name) => lw.get(name, namespace),
        isSynced: () => synced,
        stop: async () => {
          stopped = true;
          await lw.stop();
        },
      };
      return watch;
    },
    getConfigMap: (namespace, name) => orUndefined(core.readNamespacedConfigMap({ namespace, name })),
    patchPodStatus: async (namespace, name, status) => {
      await core.patchNamespacedPodStatus({ namespace, name, body: { status } }, mergePatch);
    },
    deletePod: async (namespace, name, uid) => {
      try {
        await core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0, body: { gracePeriodSeconds: 0, preconditions: { uid } } });
      } catch (err) {
        const code = apiStatusCode(err);
        if (code === 404 || code === 409) return; // gone already, or another pod of that name now
        throw err;
      }
    },
  };
}
