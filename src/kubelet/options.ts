/**
 * Kubernetes mode of the agent (`weft agent --kubeconfig …`): the pod source is
 * the Kubernetes API and the agent acts as the node's kubelet.
 */
export interface KubeletServerTls {
  /** Serving certificate of the kubelet API (<node ip>:10250). */
  readonly certFile: string;
  readonly keyFile: string;
  /** CA of the API server's client certificate (kubectl logs goes apiserver → kubelet). */
  readonly clientCaFile: string;
}

export interface KubeletOptions {
  /** The node's kubeconfig (user system:node:<node>). */
  readonly kubeconfig: string;
  /** Without it, no kubelet API is served (kubectl logs does not work). */
  readonly server?: KubeletServerTls;
  /**
   * A real cluster: the node's own kubelet runs the pods; the agent only reads its Node's
   * PodCIDR and the node's pods (kubelet/externalKubelet.ts). No `server` then.
   */
  readonly external?: boolean;
}
