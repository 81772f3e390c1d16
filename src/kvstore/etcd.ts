/**
 * KvBackend over a real etcd (v3 gRPC API through the `etcd3` package).
 * Every call has a deadline (dialTimeoutMs, default 5 s; 0 = none) and fails
 * with a WeftError naming the endpoints and the operation (etcdErrors.ts);
 * watches are etcdWatch.ts.
 */
import { silenceTlsIpServerNameWarning } from '../util/tlsWarning.ts';
import { readFileSync } from 'node:fs';
import { Etcd3, Range } from 'etcd3';
import type { IOptions, IKeyValue, IRequestOp } from 'etcd3';
import { WeftError, ErrorCode, errorMessage } from '../errors.ts';
import type { KvBackend, KvCompare, KvEntry, KvList, KvOp, KvWatch, KvWatchHandlers } from './backend.ts';
import { openEtcdWatch, type EtcdWatch } from './etcdWatch.ts';
import { etcdCallError, classifyEtcdFailure, grpcDetail } from './etcdErrors.ts';
import { formatDuration } from '../util/duration.ts';

export interface EtcdTls {
  caFile: string;
  certFile: string;
  keyFile: string;
  serverName?: string;
}
export interface EtcdOptions {
  endpoints: string[];
  tls?: EtcdTls;
  /** Deadline of every call and of a watch's creation, in ms; 0 = no deadline (wait for etcd however long). */
  dialTimeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 5000;

function readTlsFile(kind: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new WeftError(ErrorCode.InvalidInput, `cannot read etcd TLS ${kind} file ${file}: ${errorMessage(err)}`, { cause: err });
  }
}

/** etcd3 client options for the endpoints and TLS settings (validated). */
export function etcdClientOptions(opts: EtcdOptions): IOptions {
  // gRPC sets SNI to the endpoint's IP; the certificate is still checked against that IP.
  if (opts.tls !== undefined) silenceTlsIpServerNameWarning();
  if (opts.endpoints.length === 0) throw new WeftError(ErrorCode.InvalidInput, 'no etcd endpoint given');
  for (const ep of opts.endpoints) {
    if (!/^https?:\/\/[^/\s]+$/.test(ep)) {
      throw new WeftError(ErrorCode.InvalidInput, `etcd endpoint ${JSON.stringify(ep)} is not http://host:port or https://host:port`);
    }
    if (opts.tls !== undefined && ep.startsWith('http://')) {
      throw new WeftError(ErrorCode.InvalidInput, `etcd endpoint ${ep} is plain http but TLS files were given; use https://`);
    }
  }
  const grpcOptions: NonNullable<IOptions['grpcOptions']> = {
    // Notice a dead peer on long-lived watch streams (etcd allows pings every 5 s).
    'grpc.keepalive_time_ms': 10_000,
    'grpc.keepalive_timeout_ms': 5_000,
    // Lists and watch batches of a big prefix can exceed gRPC's 4 MiB default.
    'grpc.max_receive_message_length': -1,
  };
  const options: IOptions = { hosts: opts.endpoints, grpcOptions };
  if (opts.tls !== undefined) {
    options.credentials = {
      rootCertificate: readTlsFile('CA', opts.tls.caFile),
      certChain: readTlsFile('certificate', opts.tls.certFile),
      privateKey: readTlsFile('key', opts.tls.keyFile),
    };
    if (opts.tls.serverName !== undefined) {
      grpcOptions['grpc.ssl_target_name_override'] = opts.tls.serverName;
      grpcOptions['grpc.default_authority'] = opts.tls.serverName;
    }
  }
  return options;
}

function toEntry(kv: IKeyValue): KvEntry {
  return { key: kv.key.toString('utf8'), value: kv.value.toString('utf8'), modRevision: Number(kv.mod_revision) };
}

function toRequestOp(op: KvOp): IRequestOp {
  switch (op.op) {
    case 'put':
      return { request_put: { key: Buffer.from(op.key), value: Buffer.from(op.value) } };
    case 'delete':
      return { request_delete_range: { key: Buffer.from(op.key) } };
    case 'deletePrefix': {
      const r = Range.prefix(op.prefix);
      return { request_delete_range: { key: r.start, range_end: r.end } };
    }
  }
}

export function createEtcdKv(opts: EtcdOptions): KvBackend {
  const timeoutMs = opts.dialTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const where = opts.endpoints.join(',');
  const client = new Etcd3(etcdClientOptions(opts));
  const watches = new Set<EtcdWatch>();
  let closed = false;

  let lastFailure: string | undefined;
  /** Why a call failed, in words: etcd3's circuit breaker hides the cause, so repeat the last real one. */
  const explain = (err: unknown): string => {
    const kind = classifyEtcdFailure(err);
    if (kind === 'breaker') return `${lastFailure ?? 'earlier calls failed'} (not tried again for up to 5s after repeated failures)`;
    const msg = grpcDetail(err);
    lastFailure = kind === 'deadline' ? `no answer within ${formatDuration(timeoutMs)} (${msg})` : msg;
    return lastFailure;
  };

  /** Run one call with the deadline; every failure becomes a WeftError naming the endpoints and the operation. */
  const call = async <T>(what: string, fn: (o: { deadline?: number }) => Promise<T>): Promise<T> => {
    if (closed) throw new WeftError(ErrorCode.KvUnavailable, `etcd at ${where}: ${what} after the client was closed`);
    try {
      return await fn(timeoutMs > 0 ? { deadline: Date.now() + timeoutMs } : {});
    } catch (err) {
      const shaped = etcdCallError(err, { where, what, timeoutMs, certFile: opts.tls?.certFile, lastFailure });
      explain(err);
      throw shaped;
    }
  };

  return {
    get: (key) =>
      call(`get ${key}`, async (o) => {
        const res = await client.kv.range({ key: Buffer.from(key) }, o);
        const kv = res.kvs[0];
        return kv === undefined ? undefined : toEntry(kv);
      }),
    list: (prefix): Promise<KvList> =>
      call(`list ${prefix}`, async (o) => {
        const r = Range.prefix(prefix);
        const res = await client.kv.range({ key: r.start, range_end: r.end }, o);
        return { entries: res.kvs.map(toEntry), revision: Number(res.header.revision) };
      }),
    put: (key, value) =>
      call(`put ${key}`, async (o) => Number((await client.kv.put({ key: Buffer.from(key), value: Buffer.from(value) }, o)).header.revision)),
    delete: (key) => call(`delete ${key}`, async (o) => (await client.kv.deleteRange({ key: Buffer.from(key) }, o)).deleted !== '0'),
    deletePrefix: (prefix) =>
      call(`delete prefix ${prefix}`, async (o) => {
        const r = Range.prefix(prefix);
        return Number((await client.kv.deleteRange({ key: r.start, range_end: r.end }, o)).deleted);
      }),
    txn: (compares: readonly KvCompare[], ops: readonly KvOp[]) =>
      call(`txn on ${[...compares.map((c) => c.key), ...ops.map((op) => (op.op === 'deletePrefix' ? op.prefix : op.key))].join(',')}`, async (o) => {
        const compare = compares.map((c) => ({ key: Buffer.from(c.key), target: 'Mod' as const, result: 'Equal' as const, mod_revision: c.modRevision }));
        const res = await client.kv.txn({ compare, success: ops.map(toRequestOp), failure: [] }, o);
        return res.succeeded;
      }),
    watch: (prefix: string, fromRevision: number, handlers: KvWatchHandlers): KvWatch => {
      const w = openEtcdWatch({
        client: client.watchClient,
        prefix,
        fromRevision,
        where,
        explain,
        createTimeoutMs: timeoutMs,
        handlers: {
          onEvents: (evs) => handlers.onEvents(evs),
          onError: (err) => {
            watches.delete(w);
            handlers.onError(err);
          },
        },
      });
      // After close the stream cannot open and the watch fails on its own.
      if (!closed) watches.add(w);
      return {
        close: () => {
          watches.delete(w);
          w.close();
        },
      };
    },
    close: () => {
      if (closed) return Promise.resolve();
      closed = true;
      for (const w of [...watches]) w.fail(new WeftError(ErrorCode.KvUnavailable, `etcd ${where}: client closed`));
      watches.clear();
      client.close();
      return Promise.resolve();
    },
  };
}
