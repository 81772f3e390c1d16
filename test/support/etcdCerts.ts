/**
 * Throwaway TLS material for a test etcd (openssl): a CA, a server cert for
 * the DNS name `etcd.weft.test` only (so clients must override the server
 * name when dialling 127.0.0.1), and a client cert for mutual TLS.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { exec } from '../../src/util/exec.ts';

export const TEST_ETCD_SERVER_NAME = 'etcd.weft.test';

export interface TestEtcdCerts {
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
}

async function openssl(args: string[]): Promise<void> {
  await exec('openssl', args, { timeoutMs: 20_000 });
}

async function issue(dir: string, name: string, cn: string, ext: string): Promise<void> {
  const f = (s: string): string => path.join(dir, s);
  writeFileSync(f(`${name}.ext`), ext);
  await openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`), '-subj', `/CN=${cn}`]);
  await openssl(['x509', '-req', '-in', f(`${name}.csr`), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f(`${name}.pem`), '-days', '2', '-extfile', f(`${name}.ext`)]);
}

export interface TestEtcdCertOptions {
  /** Also valid for these IPs (so a client can dial 127.0.0.1 without a server-name override). */
  serverIps?: readonly string[];
  /** More client certificates, `<cn>.pem` / `<cn>.key` in `dir` (etcd maps the CN to a user). */
  clientCns?: readonly string[];
}

/** Write CA, server and client certificates into `dir`. */
export async function makeTestEtcdCerts(dir: string, opts: TestEtcdCertOptions = {}): Promise<TestEtcdCerts> {
  const f = (s: string): string => path.join(dir, s);
  await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=weft-test-ca']);
  const san = [`DNS:${TEST_ETCD_SERVER_NAME}`, ...(opts.serverIps ?? []).map((ip) => `IP:${ip}`)].join(',');
  await issue(dir, 'server', 'etcd-server', `subjectAltName=${san}\nextendedKeyUsage=serverAuth\n`);
  await issue(dir, 'client', 'weft-client', 'extendedKeyUsage=clientAuth\n');
  for (const cn of opts.clientCns ?? []) await issue(dir, cn, cn, 'extendedKeyUsage=clientAuth\n');
  return {
    caFile: f('ca.pem'),
    serverCertFile: f('server.pem'),
    serverKeyFile: f('server.key'),
    clientCertFile: f('client.pem'),
    clientKeyFile: f('client.key'),
  };
}
