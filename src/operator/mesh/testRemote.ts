/**
 * Test support: a "remote cluster" on a MemoryKv that the reflector reaches
 * through a RemoteKvFactory. Each connection gets its own client (closing it
 * ends only its watches); the remote can go down (every call and watch
 * fails) and come back; clients are read-only, as the `remote` etcd user is.
 */
import { WeftError, ErrorCode } from '../../errors.ts';
import type { KvBackend, KvEntry, KvList, KvWatch, KvWatchHandlers } from '../../kvstore/backend.ts';
import { MemoryKv } from '../../kvstore/memory.ts';
import type { RemoteKvFactory } from './remoteConnection.ts';
import type { RemoteConfig } from '../../model/remoteConfig.ts';

interface OpenWatch {
  readonly inner: KvWatch;
  readonly handlers: KvWatchHandlers;
  open: boolean;
}

export class FakeRemote {
  readonly kv = new MemoryKv();
  readonly name: string;
  /** Number of clients opened (connection attempts). */
  connects = 0;
  #down = false;
  readonly #clients = new Set<FakeRemoteClient>();

  constructor(name: string) {
    this.name = name;
  }

  get down(): boolean {
    return this.#down;
  }

  /** Unreachable: open watches fail, calls reject until setDown(false). */
  setDown(down: boolean): void {
    this.#down = down;
    if (down) for (const c of this.#clients) c.failWatches();
  }

  config(extra: Partial<RemoteConfig> = {}): RemoteConfig {
    return { name: this.name, clusterId: 2, endpoints: ['http://127.0.0.1:1'], caPem: '', ...extra };
  }

  client(): FakeRemoteClient {
    this.connects++;
    const c = new FakeRemoteClient(this, () => this.#clients.delete(c));
    this.#clients.add(c);
    return c;
  }
}

/** A factory serving several fake remotes by name. */
export function fakeRemoteFactory(...remotes: FakeRemote[]): RemoteKvFactory {
  const byName = new Map(remotes.map((r) => [r.name, r]));
  return (cfg) => {
    const r = byName.get(cfg.name);
    if (r === undefined) throw new WeftError(ErrorCode.NotFound, `no fake remote named ${cfg.name}`);
    return r.client();
  };
}

class FakeRemoteClient implements KvBackend {
  readonly #remote: FakeRemote;
  readonly #onClose: () => void;
  readonly #watches = new Set<OpenWatch>();
  #closed = false;

  constructor(remote: FakeRemote, onClose: () => void) {
    this.#remote = remote;
    this.#onClose = onClose;
  }

  #check(what: string): void {
    if (this.#closed) throw new WeftError(ErrorCode.KvUnavailable, `fake remote ${this.#remote.name}: ${what} after close`);
    if (this.#remote.down) throw new WeftError(ErrorCode.KvUnavailable, `fake remote ${this.#remote.name} is down: ${what} failed`);
  }

  async get(key: string): Promise<KvEntry | undefined> {
    this.#check(`get ${key}`);
    return this.#remote.kv.get(key);
  }

  async list(prefix: string): Promise<KvList> {
    this.#check(`list ${prefix}`);
    return this.#remote.kv.list(prefix);
  }

  readOnly(what: string): Promise<never> {
    return Promise.reject(new WeftError(ErrorCode.InvalidInput, `fake remote ${this.#remote.name} is read-only: ${what} refused`));
  }

  put(key: string): Promise<number> {
    return this.readOnly(`put ${key}`);
  }

  delete(key: string): Promise<boolean> {
    return this.readOnly(`delete ${key}`);
  }

  deletePrefix(prefix: string): Promise<number> {
    return this.readOnly(`delete prefix ${prefix}`);
  }

  txn(): Promise<boolean> {
    return this.readOnly('txn');
  }

  watch(prefix: string, fromRevision: number, handlers: KvWatchHandlers): KvWatch {
    try {
      this.#check(`watch ${prefix}`);
    } catch (err) {
      setImmediate(() => handlers.onError(err as Error));
      return { close: () => undefined };
    }
    const holder: { w?: OpenWatch } = {};
    const inner = this.#remote.kv.watch(prefix, fromRevision, {
      onEvents: (evs) => {
        if (holder.w?.open === true) handlers.onEvents(evs);
      },
      onError: (err) => {
        if (holder.w?.open !== true) return;
        holder.w.open = false;
        handlers.onError(err);
      },
    });
    const mine: OpenWatch = { inner, handlers, open: true };
    holder.w = mine;
    this.#watches.add(mine);
    return {
      close: () => {
        mine.open = false;
        mine.inner.close();
        this.#watches.delete(mine);
      },
    };
  }

  failWatches(): void {
    for (const w of [...this.#watches]) {
      this.#watches.delete(w);
      w.inner.close();
      if (!w.open) continue;
      w.open = false;
      setImmediate(() => w.handlers.onError(new WeftError(ErrorCode.KvUnavailable, `fake remote ${this.#remote.name} went down`)));
    }
  }

  close(): Promise<void> {
    this.#closed = true;
    for (const w of this.#watches) {
      w.open = false;
      w.inner.close();
    }
    this.#watches.clear();
    this.#onClose();
    return Promise.resolve();
  }
}
