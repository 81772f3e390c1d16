import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keys } from '../kvstore/keys.ts';
import { MemoryKv } from '../kvstore/memory.ts';
import { silentLogger } from '../util/log.ts';
import { knownIdentities, namespaceLabelsOf, watchNamespaces } from './identityInputs.ts';

test('knownIdentities: local store entries and remote identities, sorted by id; other keys ignored', () => {
  const local: [string, { labels: Record<string, string> }][] = [
    [keys.identity('c1', 65793), { labels: { b: '2', a: '1' } }],
    [keys.identity('c1', 65792), { labels: { app: 'db' } }],
    ['weft/state/identities/v1/c1/not-a-number', { labels: {} }],
  ];
  const remote = [{ id: 131328, cluster: 'c2', labels: { app: 'employee' } }];
  const all = knownIdentities(local, remote);
  assert.deepEqual(all.map((i) => [i.id, i.cluster]), [[65792, 'c1'], [65793, 'c1'], [131328, 'c2']]);
  assert.deepEqual(Object.keys(all[1]?.labels ?? {}), ['a', 'b']);
});

test('namespace labels come from the Namespace objects; changes call back', async () => {
  const kv = new MemoryKv();
  const ns = (labels: Record<string, string>) => JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team', labels } });
  await kv.put(keys.clusterResource('namespaces', 'team'), ns({ env: 'prod' }));
  let changes = 0;
  const store = watchNamespaces(kv, silentLogger, () => changes++);
  store.start();
  await store.synced;
  assert.deepEqual(namespaceLabelsOf(store, 'team'), { env: 'prod' });
  assert.equal(namespaceLabelsOf(store, 'other'), undefined);
  const before = changes;
  await kv.put(keys.clusterResource('namespaces', 'team'), ns({ env: 'staging' }));
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  assert.ok(changes > before);
  assert.deepEqual(namespaceLabelsOf(store, 'team'), { env: 'staging' });
  store.close();
});
