import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { createEtcdKv } from '../../src/kvstore/etcd.ts';
import { jsonParser } from '../../src/kvstore/json.ts';
import { WatchStore } from '../../src/kvstore/watchStore.ts';
import { createLogger } from '../../src/util/log.ts';
import type { KvBackend, KvWatch } from '../../src/kvstore/backend.ts';
import { startTestEtcd, compactEtcd, type TestEtcd } from '../support/etcd.ts';

const Val = z.object({ v: z.number() });
type Val = z.infer<typeof Val>;

async function until(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function makeStore(kv: KvBackend, prefix: string, log: string[]) {
  const deletes: string[] = [];
  let synced = 0;
  const store = new WatchStore<Val>({
    kv,
    prefix,
    parse: jsonParser(Val),
    logger: createLogger({}, (l) => log.push(l)),
    onDelete: (k) => deletes.push(k.slice(prefix.length)),
    onSynced: () => synced++,
    retryMinMs: 50,
    retryMaxMs: 500,
  });
  return { store, deletes, syncedCount: () => synced };
}
const keysOf = (s: WatchStore<Val>, prefix: string): string[] => s.entries().map(([k]) => k.slice(prefix.length)).sort();

let etcd: TestEtcd;
before(async () => {
  etcd = await startTestEtcd();
});
after(async () => {
  await etcd.stop();
});

void describe('WatchStore on real etcd', () => {
  void it('syncs, follows live updates and skips invalid values', async () => {
    const kv = createEtcdKv({ endpoints: [etcd.endpoint] });
    const p = 'ws1/';
    await kv.put(`${p}a`, '{"v":1}');
    await kv.put(`${p}bad`, 'nope');
    const log: string[] = [];
    const h = makeStore(kv, p, log);
    h.store.start();
    await h.store.synced;
    assert.deepEqual(keysOf(h.store, p), ['a']);
    await kv.put(`${p}b`, '{"v":2}');
    await kv.delete(`${p}a`);
    await until(() => h.store.get(`${p}b`)?.v === 2 && h.store.get(`${p}a`) === undefined, 'live events');
    assert.deepEqual(h.deletes, ['a']);
    assert.ok(log.some((l) => l.includes(`${p}bad`)));
    h.store.close();
    await kv.close();
  });

  void it('recovers from a watch on a compacted revision', async () => {
    const kv = createEtcdKv({ endpoints: [etcd.endpoint] });
    const p = 'ws2/';
    await kv.put(`${p}a`, '{"v":1}');
    let first = true;
    // The first watch opens only after the prefix moved on and etcd compacted.
    const delayed: KvBackend = {
      ...kv,
      watch: (prefix, from, handlers): KvWatch => {
        if (!first) return kv.watch(prefix, from, handlers);
        first = false;
        let inner: KvWatch | undefined;
        let closed = false;
        void (async () => {
          await kv.delete(`${p}a`);
          const rev = await kv.put(`${p}b`, '{"v":2}');
          await compactEtcd(etcd.endpoint, rev);
          if (!closed) inner = kv.watch(prefix, from, handlers);
        })();
        return {
          close: () => {
            closed = true;
            inner?.close();
          },
        };
      },
    };
    const log: string[] = [];
    const h = makeStore(delayed, p, log);
    h.store.start();
    await until(() => h.syncedCount() >= 2, 'resync after compaction');
    assert.deepEqual(keysOf(h.store, p), ['b']);
    assert.deepEqual(h.deletes, ['a']);
    assert.ok(log.some((l) => l.includes('compacted')));
    h.store.close();
    await kv.close();
  });

  void it('after etcd stops and restarts, keys deleted while disconnected disappear', async () => {
    const kv = createEtcdKv({ endpoints: [etcd.endpoint], dialTimeoutMs: 2000 });
    const p = 'ws3/';
    for (const k of ['a', 'b', 'c']) await kv.put(`${p}${k}`, '{"v":1}');
    const log: string[] = [];
    const h = makeStore(kv, p, log);
    h.store.start();
    await h.store.synced;
    await etcd.pause();
    await until(() => log.some((l) => l.includes('relisting')), 'watch error');
    await etcd.resume();
    const other = createEtcdKv({ endpoints: [etcd.endpoint] });
    await other.delete(`${p}b`);
    await other.put(`${p}d`, '{"v":4}');
    await until(() => keysOf(h.store, p).join() === 'a,c,d', 'resync after restart');
    assert.deepEqual(h.deletes, ['b']);
    await other.put(`${p}e`, '{"v":5}');
    await until(() => h.store.get(`${p}e`)?.v === 5, 'live event after restart');
    h.store.close();
    await other.close();
    await kv.close();
  });
});
