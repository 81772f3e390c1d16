/**
 * A plain-object KubeletApi for unit tests: nodes, leases, pods and
 * ConfigMaps in maps, every call recorded.
 */
import type { V1ConfigMap, V1Lease, V1Node, V1Pod, V1PodStatus } from '@kubernetes/client-node';
import type { KubeletApi, PodWatch } from './kubeApi.ts';

export class FakeKubeApi implements KubeletApi {
  readonly nodes = new Map<string, V1Node>();
  readonly leases = new Map<string, V1Lease>();
  readonly pods = new Map<string, V1Pod>();
  readonly configMaps = new Map<string, V1ConfigMap>();
  readonly calls: string[] = [];
  readonly podStatuses: { key: string; status: V1PodStatus }[] = [];
  #onPodChange: (() => void) | undefined;
  #leaseVersion = 0;

  getNode(name: string): Promise<V1Node | undefined> {
    return Promise.resolve(structuredClone(this.nodes.get(name)));
  }
  createNode(node: V1Node): Promise<V1Node> {
    const name = node.metadata?.name ?? '';
    this.calls.push(`createNode ${name}`);
    const created = { ...node, metadata: { ...node.metadata, uid: `uid-${name}` } };
    this.nodes.set(name, created);
    return Promise.resolve(created);
  }
  patchNodeStatus(name: string, status: V1Node['status']): Promise<void> {
    this.calls.push(`patchNodeStatus ${name}`);
    const node = this.nodes.get(name);
    if (node !== undefined) node.status = { ...node.status, ...status };
    return Promise.resolve();
  }
  getLease(namespace: string, name: string): Promise<V1Lease | undefined> {
    return Promise.resolve(structuredClone(this.leases.get(`${namespace}/${name}`)));
  }
  createLease(lease: V1Lease): Promise<void> {
    this.calls.push('createLease');
    this.leases.set(`${lease.metadata?.namespace ?? ''}/${lease.metadata?.name ?? ''}`, { ...lease, metadata: { ...lease.metadata, resourceVersion: String(++this.#leaseVersion) } });
    return Promise.resolve();
  }
  replaceLease(lease: V1Lease): Promise<void> {
    this.calls.push('replaceLease');
    const key = `${lease.metadata?.namespace ?? ''}/${lease.metadata?.name ?? ''}`;
    if (this.leases.get(key)?.metadata?.resourceVersion !== lease.metadata?.resourceVersion) return Promise.reject(Object.assign(new Error('conflict'), { code: 409 }));
    this.leases.set(key, { ...lease, metadata: { ...lease.metadata, resourceVersion: String(++this.#leaseVersion) } });
    return Promise.resolve();
  }
  watchPods(node: string, onChange: () => void): PodWatch {
    this.#onPodChange = onChange;
    const mine = (): V1Pod[] => [...this.pods.values()].filter((p) => p.spec?.nodeName === node);
    return {
      list: () => mine(),
      get: (namespace, name) => mine().find((p) => p.metadata?.namespace === namespace && p.metadata.name === name),
      isSynced: () => true,
      stop: () => Promise.resolve(),
    };
  }
  /** Test side: put or change a pod, as a watch event would. */
  setPod(pod: V1Pod): void {
    this.pods.set(`${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`, pod);
    this.#onPodChange?.();
  }
  getConfigMap(namespace: string, name: string): Promise<V1ConfigMap | undefined> {
    return Promise.resolve(this.configMaps.get(`${namespace}/${name}`));
  }
  patchPodStatus(namespace: string, name: string, status: V1PodStatus): Promise<void> {
    this.podStatuses.push({ key: `${namespace}/${name}`, status });
    const pod = this.pods.get(`${namespace}/${name}`);
    if (pod !== undefined) pod.status = status;
    return Promise.resolve();
  }
  deletePod(namespace: string, name: string, uid: string): Promise<void> {
    this.calls.push(`deletePod ${namespace}/${name} ${uid}`);
    const key = `${namespace}/${name}`;
    if (this.pods.get(key)?.metadata?.uid === uid) this.pods.delete(key);
    this.#onPodChange?.();
    return Promise.resolve();
  }
}
