/**
 * Kubernetes mode on a real cluster (`weft agent --kubeconfig … --external-kubelet`):
 * the node's own kubelet and container runtime run the pods and call the CNI
 * plugin, so the agent only reads: its Node's spec.podCIDR (for the CNI IPAM
 * and its node record) and the pods bound to the node (their labels make the
 * endpoint's identity on CNI ADD). It registers no Node, renews no Lease,
 * runs no pod, reports no status and serves no kubelet API (port 10250 is the
 * real kubelet's). Its RBAC is read-only (deploy/kubernetes/agent-rbac.yaml).
 */
import type { PodSource } from '../agent/podSource.ts';
import type { Logger } from '../util/log.ts';
import type { KubeletApi } from './kubeApi.ts';
import { createKubeletApi, loadKubeConfig } from './kubeApiClient.ts';
import { hostNodeFacts, KubeNode } from './nodeLifecycle.ts';

export interface ObservedKubeNode {
  readonly api: KubeletApi;
  readonly podCIDR: string;
}

/** Waits (read-only) for the Node's spec.podCIDR, which the cluster's controller manager assigns. */
export async function observeKubeNode(api: KubeletApi, node: string, nodeIp: string, logger: Logger): Promise<ObservedKubeNode> {
  // KubeNode's PodCIDR wait only reads the Node (register/heartbeats are never called here).
  const podCIDR = await new KubeNode(api, hostNodeFacts(node, nodeIp), logger.child({ component: 'kube-node' })).waitForPodCidr();
  return { api, podCIDR };
}

export async function observeKubeNodeFrom(kubeconfig: string, node: string, nodeIp: string, logger: Logger): Promise<ObservedKubeNode> {
  return observeKubeNode(createKubeletApi(loadKubeConfig(kubeconfig), logger.child({ component: 'kube-api' })), node, nodeIp, logger);
}

/**
 * The pods of `source` for lookups only: nothing to run (PodSync starts
 * nothing), no status reports, no deletions — the real kubelet does those.
 */
export function observedPods(source: PodSource): PodSource {
  return {
    values: () => [],
    get: (namespace, name) => source.get(namespace, name),
    isSynced: () => source.isSynced(),
    start: () => source.start(),
    close: () => source.close(),
  };
}

/** The pod as the API knows it, waiting up to `timeoutMs` for the watch to deliver it (the CNI ADD can come first). */
export async function podWhenKnown<T>(get: () => T | undefined, timeoutMs = 5000, pollMs = 50): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = get();
    if (found !== undefined || Date.now() >= deadline) return found;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
