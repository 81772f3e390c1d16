/**
 * Where a lab cluster's Kubernetes files live (pure): the PKI under
 * `$WEFT_HOME/pki/<cluster>/kube/` (its own CA, never the etcd cluster CA) and
 * the kubeconfigs under `$WEFT_HOME/lab/<cluster>/kube/`.
 */
import path from 'node:path';
import { pemPair } from '../pki/files.ts';
import type { PemPair } from '../pki/files.ts';

export const APISERVER_PORT = 6443;
export const KUBE_ETCD_CLIENT_PORT = 2381;
export const KUBE_ETCD_PEER_PORT = 2382;
export const CONTROLLER_MANAGER_PORT = 10257;
export const SCHEDULER_PORT = 10259;
export const KUBELET_PORT = 10250;

export interface KubeNodeFiles {
  /** The agent's client certificate: CN system:node:<node>, O system:nodes. */
  client: PemPair;
  /** The kubelet API's serving certificate (SAN: the node IP). */
  serving: PemPair;
  kubeconfig: string;
}

export interface KubeLayout {
  pkiDir: string;
  kubeconfigDir: string;
  ca: PemPair;
  apiserver: PemPair;
  apiserverKubeletClient: PemPair;
  admin: PemPair;
  controllerManager: PemPair;
  scheduler: PemPair;
  operator: PemPair;
  saKey: string;
  saPub: string;
  kubeconfigs: { admin: string; controllerManager: string; scheduler: string; operator: string };
  nodes: Record<string, KubeNodeFiles>;
  /** kube-etcd's data folder (on the control-plane host). */
  etcdDataDir: string;
}

/** pkiDir = `<pki root>/<cluster>/kube`, clusterDir = `<lab>/<cluster>`, cpDir = the control-plane host's folder. */
export function kubeLayout(pkiDir: string, clusterDir: string, cpDir: string, nodes: readonly string[]): KubeLayout {
  const kubeconfigDir = path.join(clusterDir, 'kube');
  const kc = (name: string): string => path.join(kubeconfigDir, `${name}.kubeconfig`);
  return {
    pkiDir,
    kubeconfigDir,
    ca: pemPair(pkiDir, 'ca'),
    apiserver: pemPair(pkiDir, 'apiserver'),
    apiserverKubeletClient: pemPair(pkiDir, 'apiserver-kubelet-client'),
    admin: pemPair(pkiDir, 'admin'),
    controllerManager: pemPair(pkiDir, 'controller-manager'),
    scheduler: pemPair(pkiDir, 'scheduler'),
    operator: pemPair(pkiDir, 'operator'),
    saKey: path.join(pkiDir, 'sa.key'),
    saPub: path.join(pkiDir, 'sa.pub'),
    kubeconfigs: { admin: kc('admin'), controllerManager: kc('controller-manager'), scheduler: kc('scheduler'), operator: kc('operator') },
    nodes: Object.fromEntries(
      nodes.map((n) => [n, { client: pemPair(pkiDir, `node-${n}`), serving: pemPair(pkiDir, `kubelet-${n}`), kubeconfig: kc(`node-${n}`) }]),
    ),
    etcdDataDir: path.join(cpDir, 'kube-etcd'),
  };
}

export function apiServerUrl(cpIp: string): string {
  return `https://${cpIp}:${APISERVER_PORT}`;
}
