/**
 * The contract every KvBackend passes (MemoryKv in unit tests, etcd in the
 * integration tests). Each test works under its own key prefix, so one store
 * can serve the whole suite.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { KvBackend, KvEvent, KvWatch } from './backend.ts';

export interface ContractSubject {
  kv: KvBackend;
  cleanup(): Promise<void>;
  /** Compact the store at a revision, when the backend can (enables the compaction test). */
  compact?(revision: number): Promise<void>;
}

export interface WatchRecorder {
  readonly events: KvEvent[];
  readonly errors: Error[];
  readonly watch: KvWatch;
  /** Resolves once `n` events arrived; rejects after `timeoutMs`. */
  waitEvents(n: number, timeoutMs?: number): Promise<KvEvent[]>;
  waitError(timeoutMs?: number): Promise<Error>;
}

export function recordWatch(kv: KvBackend, prefix: string, fromRevision: number): WatchRecorder {
  const events: KvEvent[] = [];
  const errors: Error[] = [];
  const watch = kv.watch(prefix, fromRevision, {
    onEvents: (evs) => events.push(...evs),
    onError: (err) => errors.push(err),
  });
  const until = async (done: () => boolean, what: string, timeoutMs: number): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} on ${prefix}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return {
    events,
    errors,
    watch,
    waitEvents: async (n, timeoutMs = 5000) => {
      await until(() => events.length >= n, `${n} events (have ${events.length}, errors: ${errors.map((e) => e.message).join('; ')})`, timeoutMs);
      return events.slice(0, n);
    },
    waitError: async (timeoutMs = 5000) => {
      await until(() => errors.length > 0, 'a watch error', timeoutMs);
      return errors[0] as Error;
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function brief(e: KvEvent): string {
  return e.type === 'put' ? `put ${e.key}=${e.value}` : `delete ${e.key}`;
}

export function runBackendContract(name: string, make: () => Promise<ContractSubject>): void {
  void describe(`KvBackend contract: ${name}`, () => {
    let subject: ContractSubject;
    let kv: KvBackend;
    let n = 0;
    const base = `contract-${Date.now()}-${process.pid}/`;
    const fresh = (): string => `${base}${++n}/`;

    before(async () => {
      subject = await make();
      kv = subject.kv;
    });
    after(async () => {
      await subject.kv.deletePrefix(base).catch(() => 0);
      await subject.cleanup();
    });

    void it('get/put/delete round-trip with modRevision', async () => {
      const p = fresh();
      assert.equal(await kv.get(`${p}k`), undefined);
      const r1 = await kv.put(`${p}k`, 'v1 ✓ "quoted"');
      assert.ok(r1 > 0);
      assert.deepEqual(await kv.get(`${p}k`), { key: `${p}k`, value: 'v1 ✓ "quoted"', modRevision: r1 });
      const r2 = await kv.put(`${p}k`, '');
      assert.ok(r2 > r1);
      assert.deepEqual(await kv.get(`${p}k`), { key: `${p}k`, value: '', modRevision: r2 });
      assert.equal(await kv.delete(`${p}k`), true);
      assert.equal(await kv.delete(`${p}k`), false);
      assert.equal(await kv.get(`${p}k`), undefined);
    });

    void it('list returns exactly the keys under the prefix, sorted, at the store revision', async () => {
      const p = fresh();
      await kv.put(`${p}a/bc`, '2');
      await kv.put(`${p}a/b/c`, '1');
      await kv.put(`${p}ab`, '3');
      const last = await kv.put(`${p}a/b/d`, '4');
      const l1 = await kv.list(`${p}a/b/`);
      assert.deepEqual(l1.entries.map((e) => e.key), [`${p}a/b/c`, `${p}a/b/d`]);
      assert.ok(l1.revision >= last);
      const l2 = await kv.list(`${p}a/`);
      assert.deepEqual(l2.entries.map((e) => [e.key, e.value]), [[`${p}a/b/c`, '1'], [`${p}a/b/d`, '4'], [`${p}a/bc`, '2']]);
      assert.deepEqual((await kv.list(`${p}zz/`)).entries, []);
    });

    void it('revisions are monotonic; a delete of nothing writes no revision', async () => {
      const p = fresh();
      const revs: number[] = [];
      for (let i = 0; i < 5; i++) revs.push(await kv.put(`${p}k${i % 2}`, String(i)));
      for (let i = 1; i < revs.length; i++) assert.ok((revs[i] ?? 0) > (revs[i - 1] ?? 0), `revisions ${revs.join(',')}`);
      const l = await kv.list(`${p}`);
      assert.ok(l.revision >= (revs[4] ?? 0));
      for (const e of l.entries) assert.ok(e.modRevision <= l.revision);
      const before = (await kv.list(p)).revision;
      assert.equal(await kv.delete(`${p}missing`), false);
      assert.equal(await kv.deletePrefix(`${p}missing/`), 0);
      assert.equal((await kv.list(p)).revision, before);
    });

    void it('txn applies every op at one revision when all compares hold, nothing otherwise', async () => {
      const p = fresh();
      assert.equal(await kv.txn([{ key: `${p}a`, modRevision: 0 }], [{ op: 'put', key: `${p}a`, value: '1' }]), true);
      assert.equal(await kv.txn([{ key: `${p}a`, modRevision: 0 }], [{ op: 'put', key: `${p}a`, value: '2' }]), false);
      const a = await kv.get(`${p}a`);
      assert.equal(a?.value, '1');
      const rb = await kv.put(`${p}b`, 'b');
      // one compare holds, the other fails → nothing applied
      const failed = await kv.txn(
        [{ key: `${p}a`, modRevision: a?.modRevision ?? -1 }, { key: `${p}b`, modRevision: rb + 1000 }],
        [{ op: 'put', key: `${p}a`, value: 'x' }, { op: 'delete', key: `${p}b` }, { op: 'put', key: `${p}c`, value: 'x' }],
      );
      assert.equal(failed, false);
      assert.equal((await kv.get(`${p}a`))?.value, '1');
      assert.equal((await kv.get(`${p}b`))?.value, 'b');
      assert.equal(await kv.get(`${p}c`), undefined);
      const ok = await kv.txn(
        [{ key: `${p}a`, modRevision: a?.modRevision ?? -1 }, { key: `${p}b`, modRevision: rb }, { key: `${p}c`, modRevision: 0 }],
        [{ op: 'put', key: `${p}a`, value: '2' }, { op: 'delete', key: `${p}b` }, { op: 'put', key: `${p}c`, value: '3' }],
      );
      assert.equal(ok, true);
      const [na, nc] = [await kv.get(`${p}a`), await kv.get(`${p}c`)];
      assert.equal(na?.value, '2');
      assert.equal(await kv.get(`${p}b`), undefined);
      assert.equal(nc?.value, '3');
      assert.equal(na?.modRevision, nc?.modRevision);
      assert.ok((na?.modRevision ?? 0) > rb);
      // no compares: unconditional; deletePrefix inside a txn
      await kv.put(`${p}d/1`, '1');
      assert.equal(await kv.txn([], [{ op: 'deletePrefix', prefix: `${p}d/` }, { op: 'put', key: `${p}e`, value: 'e' }]), true);
      assert.deepEqual((await kv.list(`${p}d/`)).entries, []);
      assert.equal((await kv.get(`${p}e`))?.value, 'e');
    });

    void it('watch delivers events in revision order, a txn as one revision', async () => {
      const p = fresh();
      await kv.put(`${p}before`, 'old');
      const from = (await kv.list(p)).revision + 1;
      const w = recordWatch(kv, p, from);
      await sleep(50);
      const r1 = await kv.put(`${p}a`, '1');
      await kv.put(`${base}outside`, 'x');
      const r2 = await kv.put(`${p}b`, '2');
      await kv.delete(`${p}a`);
      await kv.txn([], [{ op: 'put', key: `${p}c`, value: '3' }, { op: 'put', key: `${p}d`, value: '4' }]);
      const evs = await w.waitEvents(5);
      assert.deepEqual(evs.map(brief), [`put ${p}a=1`, `put ${p}b=2`, `delete ${p}a`, `put ${p}c=3`, `put ${p}d=4`]);
      assert.equal(evs[0]?.modRevision, r1);
      assert.equal(evs[1]?.modRevision, r2);
      assert.ok((evs[2]?.modRevision ?? 0) > r2);
      assert.equal(evs[3]?.modRevision, evs[4]?.modRevision);
      assert.ok((evs[3]?.modRevision ?? 0) > (evs[2]?.modRevision ?? 0));
      w.watch.close();
      await kv.put(`${p}after-close`, 'x');
      await sleep(100);
      assert.equal(w.events.length, 5);
      assert.deepEqual(w.errors, []);
    });

    void it('watch from an old revision replays history since then (inclusive)', async () => {
      const p = fresh();
      const r1 = await kv.put(`${p}x`, '1');
      const r2 = await kv.put(`${p}y`, '2');
      await kv.delete(`${p}x`);
      const all = recordWatch(kv, p, r1);
      const fromR2 = recordWatch(kv, p, r2);
      assert.deepEqual((await all.waitEvents(3)).map(brief), [`put ${p}x=1`, `put ${p}y=2`, `delete ${p}x`]);
      assert.deepEqual((await fromR2.waitEvents(2)).map(brief), [`put ${p}y=2`, `delete ${p}x`]);
      await kv.put(`${p}z`, '3');
      assert.deepEqual((await all.waitEvents(4)).map(brief).at(-1), `put ${p}z=3`);
      all.watch.close();
      fromR2.watch.close();
    });

    void it('deletePrefix deletes only under the prefix and emits one delete per key', async () => {
      const p = fresh();
      await kv.put(`${p}d/1`, '1');
      await kv.put(`${p}d/2`, '2');
      await kv.put(`${p}d/3/x`, '3');
      await kv.put(`${p}dx`, 'keep');
      const w = recordWatch(kv, p, (await kv.list(p)).revision + 1);
      assert.equal(await kv.deletePrefix(`${p}d/`), 3);
      const evs = await w.waitEvents(3);
      assert.deepEqual(evs.map(brief).sort(), [`delete ${p}d/1`, `delete ${p}d/2`, `delete ${p}d/3/x`]);
      assert.equal(new Set(evs.map((e) => e.modRevision)).size, 1);
      assert.deepEqual((await kv.list(p)).entries.map((e) => e.key), [`${p}dx`]);
      assert.equal(await kv.deletePrefix(`${p}d/`), 0);
      await sleep(50);
      assert.equal(w.events.length, 3);
      w.watch.close();
    });

    void it('watch from a compacted revision fails via onError', async (t) => {
      if (subject.compact === undefined) {
        t.skip('backend cannot compact');
        return;
      }
      const p = fresh();
      const r1 = await kv.put(`${p}a`, '1');
      await kv.put(`${p}a`, '2');
      const r3 = await kv.put(`${p}a`, '3');
      await subject.compact(r3);
      const w = recordWatch(kv, p, r1);
      const err = await w.waitError();
      assert.match(err.message, /compact/i);
      w.watch.close();
      const ok = recordWatch(kv, p, r3);
      assert.deepEqual((await ok.waitEvents(1)).map(brief), [`put ${p}a=3`]);
      ok.watch.close();
    });

    void it('close ends open watches with onError and later calls reject', async () => {
      const own = await make();
      const p = fresh();
      await own.kv.put(`${p}k`, 'v');
      const w = recordWatch(own.kv, p, (await own.kv.list(p)).revision + 1);
      await sleep(50);
      await own.kv.close();
      await w.waitError();
      await assert.rejects(own.kv.get(`${p}k`));
      await own.cleanup();
    });
  });
}
