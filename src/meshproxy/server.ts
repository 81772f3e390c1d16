/**
 * The mesh proxy: what other clusters reach of this one (Cilium's
 * clustermesh-apiserver, seed 001's etcd proxy). It terminates mTLS from
 * remote clusters' operators, admits only connected remotes (authorize.ts),
 * forwards Range, Watch and Status to the cluster's etcd as its own read-only
 * user, and refuses every other etcd method with PERMISSION_DENIED
 * (methods.ts). Bytes pass through unparsed; etcd's RBAC still limits the
 * proxy's user to the exported prefixes.
 */
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../util/log.ts';
import { admit, trustBundle, type Admission, type ConnectedRemotes } from './authorize.ts';
import { ALLOWED_METHODS, FORWARDED_METADATA, methodName, REFUSED_METHODS, type EtcdMethod } from './methods.ts';

export interface UpstreamTls {
  caPem: string;
  certPem: string;
  keyPem: string;
}

export interface MeshProxyOptions {
  /** This cluster's name. */
  cluster: string;
  /** host:port to listen on. */
  listen: string;
  /** The server certificate other clusters verify (mesh CA), its key and the own mesh CA. */
  server: { caPem: string; certPem: string; keyPem: string };
  /** host:port of the cluster's etcd, and the proxy's client certificate there (cluster CA). */
  upstream: { address: string; tls: UpstreamTls };
  logger: Logger;
}

const passthrough = (b: Buffer): Buffer => b;

interface Tracked {
  remote: string;
  cancel: () => void;
}

type AnyCall = grpc.ServerUnaryCall<Buffer, Buffer> | grpc.ServerDuplexStream<Buffer, Buffer> | grpc.ServerWritableStream<Buffer, Buffer>;

function peerCertificate(call: AnyCall): Buffer | undefined {
  const ctx = call.getAuthContext();
  return ctx.sslPeerCertificate?.raw;
}

function denied(details: string): grpc.ServerErrorResponse {
  return Object.assign(new Error(details), { code: grpc.status.PERMISSION_DENIED, details });
}

function forwardedMetadata(md: grpc.Metadata): grpc.Metadata {
  const out = new grpc.Metadata();
  for (const k of FORWARDED_METADATA) for (const v of md.get(k)) out.add(k, v);
  return out;
}

export class MeshProxy {
  readonly #opts: MeshProxyOptions;
  readonly #server = new grpc.Server({ 'grpc.max_concurrent_streams': 256 });
  readonly #upstream: grpc.Client;
  readonly #active = new Set<Tracked>();
  #connected: ConnectedRemotes = new Map();
  #bundle = '';
  #port = 0;
  #bound = '';
  #rebinding: Promise<void> = Promise.resolve();

  constructor(opts: MeshProxyOptions) {
    this.#opts = opts;
    const t = opts.upstream.tls;
    this.#upstream = new grpc.Client(opts.upstream.address, grpc.credentials.createSsl(Buffer.from(t.caPem), Buffer.from(t.keyPem), Buffer.from(t.certPem)), {
      'grpc.keepalive_time_ms': 30_000,
    });
    for (const m of ALLOWED_METHODS) this.#registerForward(m);
    for (const m of REFUSED_METHODS) this.#registerRefusal(m);
  }

  /** The port it listens on (after start). */
  get port(): number {
    return this.#port;
  }

  /** Listens with the current trust bundle. */
  async start(connected: ConnectedRemotes): Promise<void> {
    this.#connected = connected;
    await this.#bind();
  }

  /**
   * The connected remotes changed: calls of remotes no longer connected end
   * at once; the TLS layer is rebound when the set of trusted CAs changed.
   */
  update(connected: ConnectedRemotes): Promise<void> {
    this.#connected = connected;
    for (const t of [...this.#active]) {
      if (!connected.has(t.remote)) {
        this.#opts.logger.info('remote cluster disconnected: ending its calls', { remote: t.remote });
        t.cancel();
      }
    }
    if (trustBundle(this.#opts.server.caPem, connected) !== this.#bundle) {
      this.#rebinding = this.#rebinding.then(() => this.#bind(true));
    }
    return this.#rebinding;
  }

  async stop(): Promise<void> {
    for (const t of [...this.#active]) t.cancel();
    await new Promise<void>((resolve) => {
      this.#server.tryShutdown(() => resolve());
      setTimeout(() => {
        this.#server.forceShutdown();
        resolve();
      }, 2000).unref();
    });
    this.#upstream.close();
  }

  async #bind(again = false): Promise<void> {
    const bundle = trustBundle(this.#opts.server.caPem, this.#connected);
    const s = this.#opts.server;
    const creds = grpc.ServerCredentials.createSsl(Buffer.from(bundle), [{ private_key: Buffer.from(s.keyPem), cert_chain: Buffer.from(s.certPem) }], true);
    if (again) this.#server.unbind(this.#bound);
    // A rebind keeps the port (a listen address of port 0 is resolved once).
    const address = again ? this.#opts.listen.replace(/:0$/, `:${this.#port}`) : this.#opts.listen;
    this.#bound = address;
    this.#port = await new Promise<number>((resolve, reject) => {
      this.#server.bindAsync(address, creds, (err, port) => (err === null ? resolve(port) : reject(err)));
    });
    this.#bundle = bundle;
    this.#opts.logger.info('mesh proxy listening', { address, port: this.#port, trustedCas: bundle.split('-----BEGIN CERTIFICATE-----').length - 1 });
  }

  #admit(call: AnyCall, path: string): Admission {
    const a = admit(peerCertificate(call), this.#opts.cluster, this.#connected);
    if (!a.ok) this.#opts.logger.warn('mesh proxy refused a caller', { method: methodName(path), peer: call.getPeer(), reason: a.reason });
    return a;
  }

  #track(remote: string, cancel: () => void): () => void {
    const t: Tracked = { remote, cancel };
    this.#active.add(t);
    return () => {
      this.#active.delete(t);
    };
  }

  #registerRefusal(m: EtcdMethod): void {
    const message = (call: AnyCall): string => {
      const a = this.#admit(call, m.path);
      return a.ok
        ? `weft mesh proxy: remote clusters are read-only; ${methodName(m.path)} is refused (cluster ${a.remote} may only Range, Watch and Status)`
        : `weft mesh proxy: ${a.reason}`;
    };
    switch (m.kind) {
      case 'unary':
        this.#server.register(m.path, (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(denied(message(call))), passthrough, passthrough, 'unary');
        return;
      case 'bidi':
        this.#server.register(m.path, (call: grpc.ServerDuplexStream<Buffer, Buffer>) => call.emit('error', denied(message(call))), passthrough, passthrough, 'bidi');
        return;
      case 'serverStream':
        this.#server.register(m.path, (call: grpc.ServerWritableStream<Buffer, Buffer>) => call.emit('error', denied(message(call))), passthrough, passthrough, 'serverStream');
        return;
    }
  }

  #registerForward(m: EtcdMethod): void {
    if (m.kind === 'unary') {
      this.#server.register(
        m.path,
        (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
          const a = this.#admit(call, m.path);
          if (!a.ok) return cb(denied(`weft mesh proxy: ${a.reason}`));
          let untrack = (): void => undefined;
          const up = this.#upstream.makeUnaryRequest(m.path, passthrough, passthrough, call.request, forwardedMetadata(call.metadata), { deadline: call.getDeadline() }, (err, res) => {
            untrack();
            if (err !== null) cb(err);
            else cb(null, res);
          });
          untrack = this.#track(a.remote, () => up.cancel());
          call.on('cancelled', () => up.cancel());
        },
        passthrough,
        passthrough,
        'unary',
      );
      return;
    }
    this.#server.register(
      m.path,
      (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
        const a = this.#admit(call, m.path);
        if (!a.ok) {
          call.emit('error', denied(`weft mesh proxy: ${a.reason}`));
          return;
        }
        const up = this.#upstream.makeBidiStreamRequest(m.path, passthrough, passthrough, forwardedMetadata(call.metadata), { deadline: call.getDeadline() });
        let done = false;
        const untrack = this.#track(a.remote, () => finish(denied(`weft mesh proxy: cluster ${a.remote} is no longer connected`)));
        const finish = (err?: grpc.ServiceError | grpc.ServerErrorResponse): void => {
          if (done) return;
          done = true;
          untrack();
          up.cancel();
          if (err === undefined) call.end();
          else call.emit('error', err);
        };
        call.on('data', (b: Buffer) => up.write(b));
        call.on('end', () => up.end());
        call.on('cancelled', () => finish());
        call.on('error', () => finish());
        up.on('data', (b: Buffer) => call.write(b));
        up.on('end', () => finish());
        up.on('error', (err: grpc.ServiceError) => finish(err.code === grpc.status.CANCELLED ? undefined : err));
      },
      passthrough,
      passthrough,
      'bidi',
    );
  }
}
