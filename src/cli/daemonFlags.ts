/**
 * The etcd connection flags shared by `weft agent` and `weft operator`.
 */
import type { Command } from 'commander';
import type { EtcdTls } from '../kvstore/etcd.ts';
import type { KubeletOptions } from '../kubelet/options.ts';
import { WeftError, ErrorCode } from '../errors.ts';

export interface EtcdFlagOptions {
  etcd: string;
  etcdCa?: string;
  etcdCert?: string;
  etcdKey?: string;
}

export function addEtcdFlags(cmd: Command): Command {
  return cmd
    .requiredOption('--etcd <urls>', "comma-separated etcd client URLs of the cluster's kvstore")
    .option('--etcd-ca <file>', 'CA certificate of the etcd server (TLS)')
    .option('--etcd-cert <file>', 'client certificate (mTLS)')
    .option('--etcd-key <file>', 'client private key (mTLS)');
}

export function tlsOptions(opts: EtcdFlagOptions): EtcdTls | undefined {
  const given = [opts.etcdCa, opts.etcdCert, opts.etcdKey].filter((x) => x !== undefined).length;
  if (given === 0) return undefined;
  if (opts.etcdCa === undefined || opts.etcdCert === undefined || opts.etcdKey === undefined) {
    throw new WeftError(ErrorCode.InvalidInput, '--etcd-ca, --etcd-cert and --etcd-key go together: give all three or none');
  }
  return { caFile: opts.etcdCa, certFile: opts.etcdCert, keyFile: opts.etcdKey };
}

export interface KubeletFlagOptions {
  kubeconfig?: string;
  kubeletCert?: string;
  kubeletKey?: string;
  kubeletClientCa?: string;
  externalKubelet?: boolean;
}

/** Kubernetes mode of `weft agent`: undefined without --kubeconfig (standalone, as always). */
export function kubeletOptions(opts: KubeletFlagOptions): KubeletOptions | undefined {
  const tlsGiven = [opts.kubeletCert, opts.kubeletKey, opts.kubeletClientCa].filter((x) => x !== undefined).length;
  if (opts.kubeconfig === undefined) {
    if (opts.externalKubelet === true) throw new WeftError(ErrorCode.InvalidInput, '--external-kubelet needs --kubeconfig (a file, or in-cluster)');
    if (tlsGiven > 0) throw new WeftError(ErrorCode.InvalidInput, '--kubelet-cert, --kubelet-key and --kubelet-client-ca need --kubeconfig (Kubernetes mode)');
    return undefined;
  }
  if (opts.externalKubelet === true) {
    if (tlsGiven > 0) throw new WeftError(ErrorCode.InvalidInput, "--external-kubelet: the node's own kubelet serves :10250, so --kubelet-cert, --kubelet-key and --kubelet-client-ca do not apply");
    return { kubeconfig: opts.kubeconfig, external: true };
  }
  if (tlsGiven === 0) return { kubeconfig: opts.kubeconfig };
  if (opts.kubeletCert === undefined || opts.kubeletKey === undefined || opts.kubeletClientCa === undefined) {
    throw new WeftError(ErrorCode.InvalidInput, '--kubelet-cert, --kubelet-key and --kubelet-client-ca go together: give all three or none');
  }
  return { kubeconfig: opts.kubeconfig, server: { certFile: opts.kubeletCert, keyFile: opts.kubeletKey, clientCaFile: opts.kubeletClientCa } };
}
