/**
 * The few Kubernetes API calls the agent makes as a kubelet, behind one small
 * interface (tests use plain-object fakes; kubeApiClient.ts is the real one,
 * over @kubernetes/client-node).
 */
import type { V1ConfigMap, V1Lease, V1Node, V1NodeStatus, V1Pod, V1PodStatus } from '@kubernetes/client-node';

export interface PodWatch {
  /** The pods bound to this node, as last listed/watched. */
  list(): readonly V1Pod[];
  get(namespace: string, name: string): V1Pod | undefined;
  /** True once the first list has arrived. */
  isSynced(): boolean;
  stop(): Promise<void>;
}

export interface KubeletApi {
  getNode(name: string): Promise<V1Node | undefined>;
  createNode(node: V1Node): Promise<V1Node>;
  /** Merge patch of nodes/<name>/status. */
  patchNodeStatus(name: string, status: V1NodeStatus): Promise<void>;
  getLease(namespace: string, name: string): Promise<V1Lease | undefined>;
  createLease(lease: V1Lease): Promise<void>;
  /** Replace (with the lease's resourceVersion: a conflict throws). */
  replaceLease(lease: V1Lease): Promise<void>;
  /** List then watch the pods whose spec.nodeName is `node`; `onChange` after every change. */
  watchPods(node: string, onChange: () => void): PodWatch;
  getConfigMap(namespace: string, name: string): Promise<V1ConfigMap | undefined>;
  /** Merge patch of pods/<name>/status. */
  patchPodStatus(namespace: string, name: string, status: V1PodStatus): Promise<void>;
  /** Delete with grace period 0, only the pod of this uid (a recreated pod of the same name is left alone). */
  deletePod(namespace: string, name: string, uid: string): Promise<void>;
}

/** The HTTP status of a failed API call (client-node's ApiException has `code`). */
export function apiStatusCode(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown; statusCode?: unknown }).code ?? (err as { statusCode?: unknown }).statusCode;
  return typeof code === 'number' ? code : undefined;
}
