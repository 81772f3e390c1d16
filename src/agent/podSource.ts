/**
 * Where the agent's pods come from: the one interface PodSync and the CNI
 * hooks read. Standalone (the default): weft/resources/pods in etcd through a
 * WatchStore. Kubernetes mode: the API server (kubelet/kubePodSource.ts).
 */
import type { WatchStore } from '../kvstore/watchStore.ts';
import { keys } from '../kvstore/keys.ts';
import type { PodStatus } from '../model/state.ts';
import type { StoredPod } from './podResource.ts';

export type ObservedPodStatus = Omit<PodStatus, 'node' | 'hostIP'>;

export interface PodSource {
  /** The pods to run (PodSync keeps those whose spec.nodeName is this node). */
  values(): StoredPod[];
  get(namespace: string, name: string): StoredPod | undefined;
  /** True once the source has been listed in full (before that, nothing is stopped). */
  isSynced(): boolean;
  start(): void;
  close(): Promise<void>;
  /** Told every status the agent observes of a pod (written to weft/status/pods as well). */
  reportStatus?(pod: StoredPod, status: ObservedPodStatus): Promise<void>;
  /** Told after each reconcile which pods ("ns/name") still have a running sandbox. */
  afterReconcile?(running: ReadonlySet<string>): Promise<void>;
}

export function watchStorePodSource(store: WatchStore<StoredPod>): PodSource {
  return {
    values: () => store.values(),
    get: (namespace, name) => store.get(keys.resource('pods', namespace, name)),
    isSynced: () => store.isSynced(),
    start: () => store.start(),
    close: () => {
      store.close();
      return Promise.resolve();
    },
  };
}
