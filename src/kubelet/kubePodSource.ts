/**
 * The agent's pods from the Kubernetes API (Kubernetes mode): the pods bound
 * to this node, translated to the runtime's shape; statuses patched to
 * pods/<name>/status when they change; graceful deletion: a pod with a
 * deletionTimestamp is left out (so PodSync stops it), then deleted with grace
 * period 0 once its sandbox is gone, as the kubelet does.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { errorMessage } from '../errors.ts';
import type { StoredPod } from '../agent/podResource.ts';
import type { ObservedPodStatus, PodSource } from '../agent/podSource.ts';
import type { ConfigMapSource } from '../runtime/podVolumes.ts';
import type { Logger } from '../util/log.ts';
import type { KubeletApi, PodWatch } from './kubeApi.ts';
import { kubePodStatus, statusSignature } from './podStatus.ts';
import { isTerminal, kubePodMeta, podKey, toStoredPod } from './podTranslate.ts';

export interface KubePodSourceOptions {
  readonly api: KubeletApi;
  readonly node: string;
  readonly nodeIp: string;
  readonly logger: Logger;
  /** Called on every pod change (the agent's pod trigger). */
  readonly onChange: () => void;
  readonly now?: () => Date;
}

export class KubePodSource implements PodSource {
  readonly #o: KubePodSourceOptions;
  #watch: PodWatch | undefined;
  /** Last status signature sent, by pod uid. */
  readonly #sent = new Map<string, string>();
  /** Pods that cannot be translated, by uid (logged once). */
  readonly #refused = new Set<string>();
  /** Deletions in flight, by uid. */
  readonly #deleting = new Set<string>();

  constructor(o: KubePodSourceOptions) {
    this.#o = o;
  }

  start(): void {
    this.#watch = this.#o.api.watchPods(this.#o.node, this.#o.onChange);
  }

  async close(): Promise<void> {
    await this.#watch?.stop();
  }

  isSynced(): boolean {
    return this.#watch?.isSynced() ?? false;
  }

  #translate(pod: V1Pod): StoredPod | undefined {
    try {
      return toStoredPod(pod);
    } catch (err) {
      const uid = pod.metadata?.uid ?? '';
      if (!this.#refused.has(uid)) this.#o.logger.error('pod cannot run on this node', { err: errorMessage(err) });
      this.#refused.add(uid);
      return undefined;
    }
  }

  /** Pods to run: bound here, not being deleted, not finished. */
  values(): StoredPod[] {
    const out: StoredPod[] = [];
    for (const pod of this.#watch?.list() ?? []) {
      if (kubePodMeta(pod).deleting || isTerminal(pod)) continue;
      const stored = this.#translate(pod);
      if (stored !== undefined) out.push(stored);
    }
    return out;
  }

  get(namespace: string, name: string): StoredPod | undefined {
    const pod = this.#watch?.get(namespace, name);
    if (pod === undefined || kubePodMeta(pod).deleting) return undefined;
    return this.#translate(pod);
  }

  async reportStatus(stored: StoredPod, s: ObservedPodStatus): Promise<void> {
    const pod = this.#watch?.get(stored.metadata.namespace, stored.metadata.name);
    if (pod === undefined || kubePodMeta(pod).deleting) return;
    const uid = pod.metadata?.uid ?? '';
    const status = kubePodStatus(pod, s, this.#o.nodeIp, (this.#o.now ?? (() => new Date()))());
    const signature = statusSignature(status);
    if (this.#sent.get(uid) === signature) return;
    try {
      await this.#o.api.patchPodStatus(stored.metadata.namespace, stored.metadata.name, status);
      this.#sent.set(uid, signature);
    } catch (err) {
      this.#o.logger.warn('pod status update failed', { pod: podKey(stored.metadata.namespace, stored.metadata.name), err: errorMessage(err) });
    }
  }

  async afterReconcile(running: ReadonlySet<string>): Promise<void> {
    const live = new Set<string>();
    for (const pod of this.#watch?.list() ?? []) {
      const meta = kubePodMeta(pod);
      live.add(meta.uid);
      if (!meta.deleting || running.has(podKey(meta.namespace, meta.name)) || this.#deleting.has(meta.uid)) continue;
      this.#deleting.add(meta.uid);
      try {
        await this.#o.api.deletePod(meta.namespace, meta.name, meta.uid);
        this.#o.logger.info('pod stopped and deleted', { pod: podKey(meta.namespace, meta.name) });
      } catch (err) {
        this.#o.logger.warn('pod deletion failed', { pod: podKey(meta.namespace, meta.name), err: errorMessage(err) });
        this.#deleting.delete(meta.uid);
      }
    }
    for (const uid of this.#sent.keys()) if (!live.has(uid)) this.#sent.delete(uid);
    for (const uid of this.#refused) if (!live.has(uid)) this.#refused.delete(uid);
    for (const uid of this.#deleting) if (!live.has(uid)) this.#deleting.delete(uid);
  }
}

/** ConfigMaps read from the API at pod start and on each volume refresh. */
export function kubeConfigMapSource(api: KubeletApi): ConfigMapSource {
  return {
    get: async (namespace, name) => {
      const cm = await api.getConfigMap(namespace, name);
      return cm === undefined ? undefined : { data: { ...(cm.data ?? {}) } };
    },
  };
}
