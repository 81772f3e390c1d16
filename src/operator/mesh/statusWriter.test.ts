import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keys } from '../../kvstore/keys.ts';
import { MemoryKv } from '../../kvstore/memory.ts';
import { silentLogger } from '../../util/log.ts';
import { emptyCounts, remoteStatusOf, type RemoteView } from '../../model/remoteStatus.ts';
import { StatusWriter } from './statusWriter.ts';

const view: RemoteView = { name: 'c2', connected: true, listed: true, markerSeen: true, counts: emptyCounts(), failures: 0, lastFailure: '', lastFailureAt: '', connectedSince: '2024-01-01T00:00:00.000Z' };

test('status is written only on change and at most once per interval; the latest wins', async () => {
  const kv = new MemoryKv();
  const key = keys.meshStatus('c2');
  const writes: number[] = [];
  const put = kv.put.bind(kv);
  kv.put = (k: string, v: string): Promise<number> => {
    writes.push(Date.now());
    return put(k, v);
  };
  const w = new StatusWriter({ kv, key, logger: silentLogger, minIntervalMs: 60 });
  w.update(remoteStatusOf(view));
  for (let i = 1; i <= 10; i++) {
    await new Promise((r) => setTimeout(r, 2));
    w.update(remoteStatusOf({ ...view, failures: i }));
  }
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(writes.length >= 2 && writes.length <= 3, `${writes.length} writes for 11 updates`);
  for (let i = 1; i < writes.length; i++) assert.ok((writes[i] ?? 0) - (writes[i - 1] ?? 0) >= 55, `writes ${writes.join(',')} closer than the interval`);
  const st = JSON.parse((await kv.get(key))?.value ?? '{}') as { failures: number; updatedAt: string };
  assert.equal(st.failures, 10, 'the latest state wins');
  assert.notEqual(st.updatedAt, '');
  const n = writes.length;
  w.update(remoteStatusOf({ ...view, failures: 10 }));
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(writes.length, n, 'unchanged status not rewritten');
  await w.remove();
  assert.equal(await kv.get(key), undefined);
});

test('ready needs connected, a full list and the marker', () => {
  assert.equal(remoteStatusOf(view).ready, true);
  assert.equal(remoteStatusOf({ ...view, markerSeen: false }).ready, false);
  assert.equal(remoteStatusOf({ ...view, listed: false }).ready, false);
  assert.equal(remoteStatusOf({ ...view, connected: false }).ready, false);
  assert.deepEqual(remoteStatusOf({ ...view, connected: false }).synced, { nodes: false, endpoints: false, identities: false, services: false });
  assert.equal(remoteStatusOf(view).configured, true);
});
