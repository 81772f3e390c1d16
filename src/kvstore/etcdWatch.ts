/**
 * One etcd watch = one gRPC Watch stream, driven directly (not through
 * etcd3's Watcher, which reconnects and resumes on its own). Any end of the
 * stream that the owner did not ask for — disconnect, compaction, server
 * cancel, no "created" reply in time — ends the watch through onError
 * exactly once, so events are delivered at most once and in order and the
 * owner relists.
 */
import { Range } from 'etcd3';
import type { IDuplexStream, IWatchRequest, IWatchResponse, IEvent, WatchClient } from 'etcd3';
import { WeftError, ErrorCode } from '../errors.ts';
import { formatDuration } from '../util/duration.ts';
import type { KvEvent, KvWatch, KvWatchHandlers } from './backend.ts';

export interface EtcdWatchParams {
  readonly client: WatchClient;
  readonly prefix: string;
  readonly fromRevision: number;
  readonly handlers: KvWatchHandlers;
  /** Names the endpoints in error messages. */
  readonly where: string;
  /** Turns a gRPC / client error into words. */
  readonly explain: (err: unknown) => string;
  /** How long to wait for etcd to confirm the watch; 0 = as long as it takes. */
  readonly createTimeoutMs: number;
}

export interface EtcdWatch extends KvWatch {
  /** End the watch with onError (the backend is closing). */
  fail(err: Error): void;
}

export function toKvEvent(ev: IEvent): KvEvent {
  const key = ev.kv.key.toString('utf8');
  const modRevision = Number(ev.kv.mod_revision);
  return ev.type === 'Delete' ? { type: 'delete', key, modRevision } : { type: 'put', key, value: ev.kv.value.toString('utf8'), modRevision };
}

export function openEtcdWatch(p: EtcdWatchParams): EtcdWatch {
  let open = true;
  let stream: IDuplexStream<IWatchRequest, IWatchResponse> | undefined;
  const what = `watch of "${p.prefix}" from revision ${p.fromRevision} on etcd ${p.where}`;
  const createTimer =
    p.createTimeoutMs > 0
      ? setTimeout(() => fail(new WeftError(ErrorCode.KvUnavailable, `${what}: not confirmed within ${formatDuration(p.createTimeoutMs)}`)), p.createTimeoutMs)
      : undefined;

  const stop = (): void => {
    open = false;
    clearTimeout(createTimer);
    try {
      stream?.cancel();
    } catch {
      /* already ended */
    }
  };
  function fail(err: Error): void {
    if (!open) return;
    stop();
    p.handlers.onError(err);
  }

  const onResponse = (res: IWatchResponse): void => {
    if (!open) return;
    if (res.created) clearTimeout(createTimer);
    if (res.canceled) {
      const compacted = res.compact_revision !== '0' && res.compact_revision !== '';
      const why = compacted
        ? `required revision has been compacted (compacted at revision ${res.compact_revision})`
        : `canceled by etcd: ${res.cancel_reason || 'no reason given'}`;
      fail(new WeftError(ErrorCode.KvUnavailable, `${what}: ${why}`));
      return;
    }
    if (res.events.length > 0) p.handlers.onEvents(res.events.map(toKvEvent));
  };

  const range = Range.prefix(p.prefix);
  p.client.watch().then(
    (s) => {
      stream = s;
      s.on('data', onResponse);
      s.on('error', (err) => fail(new WeftError(ErrorCode.KvUnavailable, `${what}: ${p.explain(err)}`, { cause: err })));
      s.on('end', () => fail(new WeftError(ErrorCode.KvUnavailable, `${what}: stream ended by etcd`)));
      if (!open) {
        stop();
        return;
      }
      s.write({
        create_request: {
          key: range.start,
          range_end: range.end,
          ...(p.fromRevision > 0 ? { start_revision: p.fromRevision } : {}),
        },
      });
    },
    (err: unknown) => fail(new WeftError(ErrorCode.KvUnavailable, `${what}: ${p.explain(err)}`, { cause: err })),
  );

  return { close: stop, fail };
}
