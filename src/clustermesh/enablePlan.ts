/**
 * `clustermesh enable`, the pure part: how the argv of a lab cluster's etcd,
 * operator and agents change when etcd switches to mTLS, and whether they
 * already have. No I/O here.
 */
import { WeftError, ErrorCode } from '../errors.ts';
import type { EtcdTls } from '../kvstore/etcd.ts';

/** etcd flags that enable sets (with `=` values); any earlier value is replaced. */
const ETCD_URL_FLAGS = ['--listen-client-urls', '--advertise-client-urls'] as const;
const ETCD_TLS_FLAGS = ['--trusted-ca-file', '--cert-file', '--key-file'] as const;
const ETCD_CLIENT_CERT_AUTH = '--client-cert-auth';
/** Client flags of `weft operator` / `weft agent` (space-separated values). */
const CLIENT_TLS_FLAGS = ['--etcd-ca', '--etcd-cert', '--etcd-key'] as const;

/** http://host:port → https://host:port (https stays). */
export function httpsUrl(url: string): string {
  if (url.startsWith('https://')) return url;
  if (url.startsWith('http://')) return `https://${url.slice('http://'.length)}`;
  throw new WeftError(ErrorCode.InvalidInput, `etcd URL ${JSON.stringify(url)} is neither http:// nor https://`);
}

function httpsUrls(list: string): string {
  return list.split(',').map((u) => httpsUrl(u.trim())).join(',');
}

/** The value of `--flag=value` or `--flag value` in argv, or undefined. */
export function flagValue(argv: readonly string[], flag: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a.startsWith(`${flag}=`)) return a.slice(flag.length + 1);
    if (a === flag) return argv[i + 1];
  }
  return undefined;
}

/** argv without `--flag=value`, `--flag value` (when takesValue) or a bare `--flag`. */
export function withoutFlag(argv: readonly string[], flag: string, takesValue: boolean): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a.startsWith(`${flag}=`)) continue;
    if (a === flag) {
      if (takesValue) i++;
      continue;
    }
    out.push(a);
  }
  return out;
}

function requireFlag(argv: readonly string[], flag: string, what: string): string {
  const v = flagValue(argv, flag);
  if (v === undefined) throw new WeftError(ErrorCode.LabState, `${what} argv has no ${flag}: ${argv.join(' ')}`);
  return v;
}

/** The etcd argv serving clients over https only, with client-certificate auth against the mesh CA. */
export function tlsEtcdArgv(argv: readonly string[], server: EtcdTls): string[] {
  const listen = httpsUrls(requireFlag(argv, '--listen-client-urls', 'etcd'));
  const advertise = httpsUrls(requireFlag(argv, '--advertise-client-urls', 'etcd'));
  let out = [...argv];
  for (const f of ETCD_URL_FLAGS) out = withoutFlag(out, f, true);
  for (const f of ETCD_TLS_FLAGS) out = withoutFlag(out, f, true);
  out = withoutFlag(out, ETCD_CLIENT_CERT_AUTH, false);
  return [
    ...out,
    `--listen-client-urls=${listen}`,
    `--advertise-client-urls=${advertise}`,
    ETCD_CLIENT_CERT_AUTH,
    `--trusted-ca-file=${server.caFile}`,
    `--cert-file=${server.certFile}`,
    `--key-file=${server.keyFile}`,
  ];
}

/** The URL clients use once etcd serves TLS: its first advertised client URL. */
export function etcdClientUrl(etcdArgv: readonly string[]): string {
  const first = requireFlag(etcdArgv, '--advertise-client-urls', 'etcd').split(',')[0] ?? '';
  return first.trim();
}

/** True when the etcd argv serves clients over https with client-certificate auth. */
export function etcdServesMtls(argv: readonly string[]): boolean {
  const listen = flagValue(argv, '--listen-client-urls') ?? '';
  return argv.includes(ETCD_CLIENT_CERT_AUTH) && listen !== '' && listen.split(',').every((u) => u.trim().startsWith('https://'));
}

/** A `weft operator` / `weft agent` argv talking to etcd over https with the given client certificate. */
export function tlsClientArgv(argv: readonly string[], client: EtcdTls): string[] {
  const etcd = httpsUrls(requireFlag(argv, '--etcd', 'weft daemon'));
  let out = withoutFlag(argv, '--etcd', true);
  for (const f of CLIENT_TLS_FLAGS) out = withoutFlag(out, f, true);
  return [...out, '--etcd', etcd, '--etcd-ca', client.caFile, '--etcd-cert', client.certFile, '--etcd-key', client.keyFile];
}

/** Where a cluster's mesh proxy listens on its control-plane host (Cilium's clustermesh-apiserver NodePort). */
export const MESH_PROXY_PORT = 32379;

/** The URL other clusters reach a cluster's mesh proxy at. */
export function meshProxyUrl(cpIp: string): string {
  return `https://${cpIp}:${MESH_PROXY_PORT}`;
}

/** The operator argv with its remote identity (the client certificate it shows to other clusters' mesh proxies). */
export function withMeshIdentity(argv: readonly string[], identity: { certFile: string; keyFile: string }): string[] {
  const out = withoutFlag(withoutFlag(argv, '--mesh-cert', true), '--mesh-key', true);
  return [...out, '--mesh-cert', identity.certFile, '--mesh-key', identity.keyFile];
}

export interface MeshProxyPlan {
  cluster: string;
  cpIp: string;
  /** The proxy's client certificate on the local etcd (cluster CA). */
  etcd: EtcdTls;
  /** The mesh CA and the proxy's server certificate (mesh CA). */
  server: EtcdTls;
}

/**
 * The mesh proxy's argv: the operator's runtime (netns, node, CLI entry: the
 * argv up to the `operator` subcommand) running `weft mesh-proxy`.
 */
export function meshProxyArgv(operatorArgv: readonly string[], p: MeshProxyPlan): string[] {
  const at = operatorArgv.indexOf('operator');
  if (at < 0) throw new WeftError(ErrorCode.LabState, `operator argv has no operator subcommand: ${operatorArgv.join(' ')}`);
  return [
    ...operatorArgv.slice(0, at),
    'mesh-proxy',
    '--cluster',
    p.cluster,
    '--listen',
    `${p.cpIp}:${MESH_PROXY_PORT}`,
    '--etcd',
    'https://127.0.0.1:2379',
    '--etcd-ca',
    p.etcd.caFile,
    '--etcd-cert',
    p.etcd.certFile,
    '--etcd-key',
    p.etcd.keyFile,
    '--tls-ca',
    p.server.caFile,
    '--tls-cert',
    p.server.certFile,
    '--tls-key',
    p.server.keyFile,
  ];
}
