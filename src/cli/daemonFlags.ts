/**
 * The etcd connection flags shared by `weft agent` and `weft operator`.
 */
import type { Command } from 'commander';
import type { EtcdTls } from '../kvstore/etcd.ts';
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
