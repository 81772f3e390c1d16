import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { MemoryKv } from './memory.ts';
import { jsonParser } from './json.ts';
import { backoffDelay } from '../util/backoff.ts';
import { WatchStore, type WatchStoreOptions } from './watchStore.ts';
import { createLogger } from '../util/log.ts';
import type { KvBackend, KvWatchHandlers } from './backend.ts';

const Node = z.object({ ip: z.string() });
type Node = z.infer<typeof Node>;
const P = 'weft/state/nodes/v1/c1/';

async function until(cond: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function harness(kv: KvBackend, extra: Partial<WatchStoreOptions<Node>> = {}) {
  const log: string[] = [];
  const upserts: string[] = [];
  const deletes: string[] = [];
  let synced = 0;
  const store = new WatchStore<Node>({
    kv,
    prefix: P,
    parse: jsonParser(Node),
    logger: createLogger({}, (l) => log.push(l)),
    onUpsert: (k, v) => upserts.push(`${k.slice(P.length)}=${v.ip}`),
    onDelete: (k, old) => deletes.push(`${k.slice(P.length)}=${old.ip}`),
    onSynced: () => synced++,
    retryMinMs: 5,
    retryMaxMs: 20,
    ...extra,
  });
  return { store, log, upserts, deletes, syncedCount: () => synced };
}

/** A backend that forwards to `mem` except where overridden. */
function wrap(mem: MemoryKv, over: Partial<KvBackend>): KvBackend {
  return {
    get: (k) => mem.get(k),
    list: (p) => mem.list(p),
    put: (k, v) => mem.put(k, v),
    delete: (k) => mem.delete(k),
    deletePrefix: (p) => mem.deletePrefix(p),
    txn: (c, o) => mem.txn(c, o),
    watch: (p, r, h) => mem.watch(p, r, h),
    close: () => mem.close(),
    ...over,
  };
}

const ip = (v: string): string => JSON.stringify({ ip: v });
const ips = (s: WatchStore<Node>): string[] => s.entries().map(([k, v]) => `${k.slice(P.length)}=${v.ip}`).sort();

void describe('WatchStore', () => {
  void it('initial sync lists the prefix, skips invalid values with a log line', async () => {
    const kv = new MemoryKv();
    await kv.put(`${P}a`, ip('10.0.0.1'));
    await kv.put(`${P}bad`, '{"ip": 5}');
    await kv.put('weft/state/nodes/v1/c10/x', ip('10.9.9.9'));
    const h = harness(kv);
    assert.equal(h.store.isSynced(), false);
    h.store.start();
    await h.store.synced;
    assert.equal(h.store.isSynced(), true);
    assert.deepEqual(ips(h.store), ['a=10.0.0.1']);
    assert.deepEqual(h.upserts, ['a=10.0.0.1']);
    assert.equal(h.syncedCount(), 1);
    assert.ok(h.log.some((l) => l.includes('invalid') && l.includes(`${P}bad`)));
    assert.equal(h.store.get(`${P}a`)?.ip, '10.0.0.1');
    assert.deepEqual(h.store.values(), [{ ip: '10.0.0.1' }]);
    h.store.close();
  });

  void it('follows live puts, updates and deletes; an invalid update drops the key', async () => {
    const kv = new MemoryKv();
    const h = harness(kv);
    h.store.start();
    await h.store.synced;
    await kv.put(`${P}a`, ip('10.0.0.1'));
    await kv.put(`${P}b`, ip('10.0.0.2'));
    await kv.put(`${P}a`, ip('10.0.0.3'));
    await kv.delete(`${P}b`);
    await kv.put(`${P}c`, ip('10.0.0.4'));
    await kv.put(`${P}c`, 'not json');
    await until(() => h.deletes.length === 2, 'two deletes');
    assert.deepEqual(h.upserts, ['a=10.0.0.1', 'b=10.0.0.2', 'a=10.0.0.3', 'c=10.0.0.4']);
    assert.deepEqual(h.deletes, ['b=10.0.0.2', 'c=10.0.0.4']);
    assert.deepEqual(ips(h.store), ['a=10.0.0.3']);
    h.store.close();
    await kv.put(`${P}d`, ip('10.0.0.5'));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(h.store.get(`${P}d`), undefined);
  });

  void it('resyncs after a broken watch: keys deleted meanwhile fire onDelete, unchanged keys stay quiet', async () => {
    const kv = new MemoryKv();
    await kv.put(`${P}keep`, ip('10.0.0.1'));
    await kv.put(`${P}gone`, ip('10.0.0.2'));
    const h = harness(kv);
    h.store.start();
    await h.store.synced;
    kv.breakWatches();
    // written while the store is disconnected: it never sees these events
    await kv.delete(`${P}gone`);
    await kv.put(`${P}new`, ip('10.0.0.3'));
    await until(() => h.syncedCount() === 2, 'second onSynced');
    assert.deepEqual(h.deletes, ['gone=10.0.0.2']);
    assert.deepEqual(h.upserts, ['gone=10.0.0.2', 'keep=10.0.0.1', 'new=10.0.0.3']);
    assert.deepEqual(ips(h.store), ['keep=10.0.0.1', 'new=10.0.0.3']);
    assert.ok(h.log.some((l) => l.includes('relisting')));
    await kv.put(`${P}after`, ip('10.0.0.4'));
    await until(() => h.store.get(`${P}after`) !== undefined, 'live event after resync');
    h.store.close();
  });

  void it('recovers when its watch starts from a compacted revision', async () => {
    const mem = new MemoryKv();
    await mem.put(`${P}a`, ip('10.0.0.1'));
    let watches = 0;
    // The first watch starts only after the store moved on and was compacted.
    const kv = wrap(mem, {
      watch: (prefix: string, from: number, handlers: KvWatchHandlers) => {
        if (++watches === 1) {
          void mem.delete(`${P}a`);
          void mem.put(`${P}b`, ip('10.0.0.2'));
          mem.compact(mem.revision);
        }
        return mem.watch(prefix, from, handlers);
      },
    });
    const h = harness(kv);
    h.store.start();
    await h.store.synced;
    await until(() => h.syncedCount() === 2, 'resync after compaction');
    assert.deepEqual(ips(h.store), ['b=10.0.0.2']);
    assert.deepEqual(h.deletes, ['a=10.0.0.1']);
    assert.ok(h.log.some((l) => l.includes('compacted')));
    h.store.close();
  });

  void it('retries a failing list with backoff, and a throwing handler never stops it', async () => {
    const mem = new MemoryKv();
    await mem.put(`${P}a`, ip('10.0.0.1'));
    await mem.put(`${P}b`, ip('10.0.0.2'));
    let fails = 2;
    const kv = wrap(mem, {
      list: (prefix: string) => (fails-- > 0 ? Promise.reject(new Error('etcd down')) : mem.list(prefix)),
    });
    const h = harness(kv, {
      onUpsert: (k) => {
        if (k.endsWith('/a')) throw new Error('handler bug');
      },
    });
    h.store.start();
    await h.store.synced;
    assert.deepEqual(ips(h.store), ['a=10.0.0.1', 'b=10.0.0.2']);
    assert.equal(h.log.filter((l) => l.includes('etcd down')).length, 2);
    assert.ok(h.log.some((l) => l.includes('handler threw')));
    h.store.close();
  });

  void it('backoff doubles from min and caps at max', () => {
    assert.deepEqual([0, 1, 2, 3, 10, 100].map((a) => backoffDelay(a, 100, 5000)), [100, 200, 400, 800, 5000, 5000]);
  });
});
