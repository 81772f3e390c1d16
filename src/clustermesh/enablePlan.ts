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
