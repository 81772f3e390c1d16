/**
 * The agent's kubelet side in one place (Kubernetes mode): the API client
 * from the node's kubeconfig, the Node registered with its lease heartbeats,
 * the PodCIDR the controller manager assigned, and the log lookup of the
 * kubelet API.
 */
import { errorMessage } from '../errors.ts';
import type { PodSource } from '../agent/podSource.ts';
import { podLogPath } from '../runtime/podRecord.ts';
import type { Logger } from '../util/log.ts';
import type { KubeletApi } from './kubeApi.ts';
import { createKubeletApi, loadKubeConfig } from './kubeApiClient.ts';
import type { LogLookup } from './logServer.ts';
import { hostNodeFacts, KubeNode } from './nodeLifecycle.ts';
import type { KubeletOptions } from './options.ts';

export interface KubeNodeRegistration {
  readonly api: KubeletApi;
  readonly node: KubeNode;
  readonly podCIDR: string;
}

/** Registers the Node (NotReady), starts its heartbeats and waits for spec.podCIDR. Retries until the API answers. */
export async function registerKubeNode(opts: KubeletOptions, node: string, nodeIp: string, logger: Logger): Promise<KubeNodeRegistration> {
  const api = createKubeletApi(loadKubeConfig(opts.kubeconfig), logger.child({ component: 'kube-api' }));
  const kubeNode = new KubeNode(api, hostNodeFacts(node, nodeIp), logger.child({ component: 'kube-node' }));
  for (let attempt = 0; ; attempt++) {
    try {
      await kubeNode.register();
      break;
    } catch (err) {
      if (attempt % 10 === 0) logger.warn('cannot register the Node with the API server yet', { node, err: errorMessage(err) });
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  kubeNode.startHeartbeats();
  logger.info('Node registered with the API server', { node });
  const podCIDR = await kubeNode.waitForPodCidr();
  return { api, node: kubeNode, podCIDR };
}

/** Logs of the pods this agent runs: known pod and container, else a 404 naming them. */
export function podLogLookup(pods: PodSource, stateDir: string, node: string): LogLookup {
  return {
    logFile: (namespace, pod, container) => {
      const p = pods.get(namespace, pod);
      if (p === undefined) return { notFound: `pod ${namespace}/${pod} is not running on node ${node}` };
      if (!p.spec.containers.some((c) => c.name === container)) {
        return { notFound: `container "${container}" is not in pod ${namespace}/${pod} (containers: ${p.spec.containers.map((c) => c.name).join(', ')})` };
      }
      return { file: podLogPath(stateDir, namespace, pod) };
    },
  };
}
