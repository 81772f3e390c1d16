/**
 * `weft mesh-proxy`: the cluster's boundary toward other clusters (started by
 * `weft clustermesh enable` on the control-plane host). Remote clusters'
 * operators read this cluster's exported state through it, read-only; it
 * reaches the local etcd as `mesh-proxy-<cluster>`. Runs until SIGTERM/SIGINT.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { WeftError, ErrorCode, errorMessage } from '../errors.ts';
import { createEtcdKv } from '../kvstore/etcd.ts';
import { watchAllowlist } from '../meshproxy/allowlist.ts';
import { MeshProxy } from '../meshproxy/server.ts';
import { createLogger } from '../util/log.ts';
import { addEtcdFlags, tlsOptions } from './daemonFlags.ts';
import type { EtcdFlagOptions } from './daemonFlags.ts';

interface MeshProxyFlags extends EtcdFlagOptions {
  cluster: string;
  listen: string;
  tlsCa: string;
  tlsCert: string;
  tlsKey: string;
}

function readPem(file: string, flag: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new WeftError(ErrorCode.NotFound, `${flag} ${file}: ${errorMessage(err)}`, { cause: err });
  }
}

/** https://host:port → host:port (the gRPC target of the local etcd). */
export function grpcTarget(url: string): string {
  const m = /^https:\/\/([^/\s]+)\/?$/.exec(url.trim());
  if (m?.[1] === undefined) throw new WeftError(ErrorCode.InvalidInput, `--etcd ${JSON.stringify(url)}: the mesh proxy reaches etcd over https://host:port only`);
  return m[1];
}

export function registerMeshProxy(program: Command): void {
  const cmd = program
    .command('mesh-proxy')
    .description("serve this cluster's exported state to connected clusters, read-only (normally started by `weft clustermesh enable`)")
    .requiredOption('--cluster <name>', "this cluster's name")
    .requiredOption('--listen <host:port>', 'where remote clusters connect (TLS)')
    .requiredOption('--tls-ca <file>', 'the mesh CA: client certificates of remote clusters chain to it (or to the CA their record names)')
    .requiredOption('--tls-cert <file>', "the proxy's server certificate (mesh CA)")
    .requiredOption('--tls-key <file>', 'the private key of --tls-cert');
  addEtcdFlags(cmd).action(async (opts: MeshProxyFlags) => {
    const logger = createLogger({ component: 'mesh-proxy', cluster: opts.cluster });
    const tls = tlsOptions(opts);
    if (tls === undefined) throw new WeftError(ErrorCode.InvalidInput, 'the mesh proxy needs --etcd-ca, --etcd-cert and --etcd-key (its mesh-proxy identity on the local etcd)');
    const etcd = opts.etcd.split(',')[0] ?? '';
    const kv = createEtcdKv({ endpoints: [etcd], tls });
    const proxy = new MeshProxy({
      cluster: opts.cluster,
      listen: opts.listen,
      server: { caPem: readPem(opts.tlsCa, '--tls-ca'), certPem: readPem(opts.tlsCert, '--tls-cert'), keyPem: readPem(opts.tlsKey, '--tls-key') },
      upstream: { address: grpcTarget(etcd), tls: { caPem: readPem(tls.caFile, '--etcd-ca'), certPem: readPem(tls.certFile, '--etcd-cert'), keyPem: readPem(tls.keyFile, '--etcd-key') } },
      logger,
    });
    let started: Promise<void> | undefined;
    const allow = watchAllowlist(kv, logger, (connected) => {
      logger.info('connected remote clusters', { remotes: [...connected.keys()] });
      started = started === undefined ? proxy.start(connected) : started.then(() => proxy.update(connected));
      started.catch((err: unknown) => {
        logger.error('mesh proxy cannot listen', { listen: opts.listen, error: errorMessage(err) });
        process.exitCode = 1;
        process.kill(process.pid, 'SIGTERM');
      });
    });
    const signal = await new Promise<string>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'));
      process.once('SIGINT', () => resolve('SIGINT'));
    });
    logger.info('mesh proxy stopping', { signal });
    allow.close();
    await proxy.stop();
    await kv.close();
  });
}
