import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryKv } from './memory.ts';
import { runBackendContract, recordWatch } from './backend.contract.ts';

runBackendContract('MemoryKv', () => {
  const kv = new MemoryKv();
  return Promise.resolve({ kv, cleanup: () => kv.close(), compact: (rev: number) => Promise.resolve(kv.compact(rev)) });
});

void describe('MemoryKv test hooks', () => {
  void it('breakWatches ends every open watch with onError', async () => {
    const kv = new MemoryKv();
    const a = recordWatch(kv, 'a/', 1);
    const b = recordWatch(kv, 'b/', 1);
    kv.breakWatches();
    assert.match((await a.waitError()).message, /broken/);
    await b.waitError();
    await kv.put('a/x', '1');
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(a.events, []);
    await kv.close();
  });

  void it('a watch from revision 0 starts now; one from a future revision waits for it', async () => {
    const kv = new MemoryKv();
    await kv.put('k', 'old');
    const now = recordWatch(kv, 'k', 0);
    const future = recordWatch(kv, 'k', kv.revision + 2);
    await kv.put('k', 'a');
    await kv.put('k', 'b');
    assert.deepEqual((await now.waitEvents(2)).map((e) => e.type === 'put' && e.value), ['a', 'b']);
    assert.deepEqual((await future.waitEvents(1)).map((e) => e.type === 'put' && e.value), ['b']);
    await kv.close();
  });

  void it('compact refuses a revision beyond the store', () => {
    const kv = new MemoryKv();
    assert.throws(() => kv.compact(kv.revision + 1), /revision 2/);
  });

  void it('starts at revision 1 and a put makes revision 2, like etcd', async () => {
    const kv = new MemoryKv();
    assert.equal((await kv.list('')).revision, 1);
    assert.equal(await kv.put('k', 'v'), 2);
  });
});
