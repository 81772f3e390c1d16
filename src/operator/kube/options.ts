/** How the operator reaches Kubernetes in Kubernetes mode (`weft operator --kubeconfig`). */
export interface KubeSourceOptions {
  /** A kubeconfig file; its current context names the API server and the operator's credentials. */
  readonly kubeconfig: string;
  /** First delay before restarting a failed list/watch (doubles up to maxBackoffMs). Default 500 ms. */
  readonly minBackoffMs?: number;
  /** Default 10 000 ms. */
  readonly maxBackoffMs?: number;
}
