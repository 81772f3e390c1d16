/**
 * The argv of a lab cluster's Kubernetes control plane (pure): kube-etcd,
 * kube-apiserver, kube-controller-manager and kube-scheduler, all on the
 * control-plane host.
 */
import { formatIp, hostAt, parseCidr } from '../util/cidr.ts';
import type { KubeBins } from './bins.ts';
import { APISERVER_PORT, CONTROLLER_MANAGER_PORT, KUBE_ETCD_CLIENT_PORT, KUBE_ETCD_PEER_PORT, SCHEDULER_PORT } from './layout.ts';
import type { KubeLayout } from './layout.ts';

export interface ControlPlaneInput {
  bins: KubeBins;
  etcdBin: string;
  layout: KubeLayout;
  cpIp: string;
  podCIDR: string;
  serviceCIDR: string;
  nodeCidrMaskSize: number;
}

export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

/** The kubernetes.default Service's ClusterIP: the first address of the service range. */
export function kubernetesServiceIp(serviceCIDR: string): string {
  return formatIp(hostAt(parseCidr(serviceCIDR), 1));
}

export function kubeEtcdUrl(): string {
  return `http://127.0.0.1:${KUBE_ETCD_CLIENT_PORT}`;
}

/** Kubernetes' own etcd: loopback of the control-plane netns only. */
export function kubeEtcdArgv(i: ControlPlaneInput): string[] {
  const peer = `http://127.0.0.1:${KUBE_ETCD_PEER_PORT}`;
  return [
    i.etcdBin,
    '--name=kube',
    `--data-dir=${i.layout.etcdDataDir}`,
    `--listen-client-urls=${kubeEtcdUrl()}`,
    `--advertise-client-urls=${kubeEtcdUrl()}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=kube=${peer}`,
    '--initial-cluster-state=new',
    '--logger=zap',
    '--log-level=warn',
  ];
}

export function apiserverArgv(i: ControlPlaneInput): string[] {
  const l = i.layout;
  return [
    i.bins['kube-apiserver'],
    `--advertise-address=${i.cpIp}`,
    '--bind-address=0.0.0.0',
    `--secure-port=${APISERVER_PORT}`,
    '--insecure-port=0',
    `--etcd-servers=${kubeEtcdUrl()}`,
    `--service-cluster-ip-range=${i.serviceCIDR}`,
    '--authorization-mode=Node,RBAC',
    '--enable-admission-plugins=NodeRestriction',
    '--allow-privileged=true',
    `--client-ca-file=${l.ca.certFile}`,
    `--tls-cert-file=${l.apiserver.certFile}`,
    `--tls-private-key-file=${l.apiserver.keyFile}`,
    `--kubelet-client-certificate=${l.apiserverKubeletClient.certFile}`,
    `--kubelet-client-key=${l.apiserverKubeletClient.keyFile}`,
    `--kubelet-certificate-authority=${l.ca.certFile}`,
    '--kubelet-preferred-address-types=InternalIP',
    `--service-account-key-file=${l.saPub}`,
    `--service-account-signing-key-file=${l.saKey}`,
    `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
    '--profiling=false',
    '--v=1',
  ];
}

/** What the controller manager and the scheduler share: one kubeconfig for everything, HTTPS on the control-plane IP only, no leader election. */
function componentArgv(bin: string, kubeconfig: string, cpIp: string, securePort: number): string[] {
  return [
    bin,
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    `--bind-address=${cpIp}`,
    `--secure-port=${securePort}`,
    '--port=0',
    '--leader-elect=false',
  ];
}

export function controllerManagerArgv(i: ControlPlaneInput): string[] {
  const l = i.layout;
  return [
    ...componentArgv(i.bins['kube-controller-manager'], l.kubeconfigs.controllerManager, i.cpIp, CONTROLLER_MANAGER_PORT),
    '--allocate-node-cidrs=true',
    `--cluster-cidr=${i.podCIDR}`,
    `--node-cidr-mask-size=${i.nodeCidrMaskSize}`,
    `--service-cluster-ip-range=${i.serviceCIDR}`,
    '--use-service-account-credentials=true',
    `--root-ca-file=${l.ca.certFile}`,
    `--service-account-private-key-file=${l.saKey}`,
    `--cluster-signing-cert-file=${l.ca.certFile}`,
    `--cluster-signing-key-file=${l.ca.keyFile}`,
    '--profiling=false',
    '--v=1',
  ];
}

export function schedulerArgv(i: ControlPlaneInput): string[] {
  return [...componentArgv(i.bins['kube-scheduler'], i.layout.kubeconfigs.scheduler, i.cpIp, SCHEDULER_PORT), '--profiling=false', '--v=1'];
}

/** The flags `weft agent` takes in Kubernetes mode. */
export function agentKubeFlags(l: KubeLayout, node: string): string[] {
  const n = l.nodes[node];
  if (n === undefined) return [];
  return ['--kubeconfig', n.kubeconfig, '--kubelet-cert', n.serving.certFile, '--kubelet-key', n.serving.keyFile, '--kubelet-client-ca', l.ca.certFile];
}

/** The flags `weft operator` takes in Kubernetes mode. */
export function operatorKubeFlags(l: KubeLayout): string[] {
  return ['--kubeconfig', l.kubeconfigs.operator];
}
