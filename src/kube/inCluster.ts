/**
 * `--kubeconfig in-cluster`: the credentials Kubernetes mounts into a pod
 * (the service account's token and CA under
 * /var/run/secrets/kubernetes.io/serviceaccount, the API server from
 * KUBERNETES_SERVICE_HOST/PORT), loaded by @kubernetes/client-node's
 * loadFromCluster. Used by the agent DaemonSet and the operator Deployment of
 * deploy/kubernetes/.
 */
import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { WeftError, ErrorCode } from '../errors.ts';

/** The value of --kubeconfig that selects the pod's service account instead of a file. */
export const IN_CLUSTER = 'in-cluster';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The in-cluster configuration; `root` prefixes the service-account paths (tests). Fails naming what is missing. */
export function loadInClusterConfig(root = '', env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const missing = ['KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT'].filter((v) => (env[v] ?? '') === '');
  if (missing.length > 0) throw new WeftError(ErrorCode.InvalidInput, `--kubeconfig ${IN_CLUSTER}: ${missing.join(' and ')} not set (not running in a Kubernetes pod?)`);
  for (const file of ['token', 'ca.crt']) {
    const p = `${root}${SERVICE_ACCOUNT_DIR}/${file}`;
    if (!existsSync(p)) throw new WeftError(ErrorCode.NotFound, `--kubeconfig ${IN_CLUSTER}: ${p} not found (is the service account token mounted? automountServiceAccountToken must not be false)`);
  }
  const kc = new KubeConfig();
  kc.loadFromCluster(root);
  return kc;
}
