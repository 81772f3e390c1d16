import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keys } from '../kvstore/keys.ts';
import { MemoryKv } from '../kvstore/memory.ts';
import { formatColumns } from './output.ts';
import { identityListRows, loadIdentities, reservedIdentities } from './identity.ts';

test('identity list: reserved, local and mirrored identities of connected clusters, labels one per line', async () => {
  const kv = new MemoryKv();
  await kv.put(keys.identity('c1', 65792), JSON.stringify({ labels: { app: 'db', 'io.cilium.k8s.policy.cluster': 'c1' } }));
  await kv.put(keys.cacheOf('c2', keys.identity('c2', 131328)), JSON.stringify({ labels: { app: 'employee', 'io.cilium.k8s.policy.cluster': 'c2' } }));
  await kv.put(keys.cacheOf('c3', keys.identity('c3', 196864)), JSON.stringify({ labels: { app: 'old' } })); // not connected
  await kv.put(keys.identity('c1', 65793), 'not json');
  await kv.put(keys.meshRemote('c2'), '{}');
  const warnings: string[] = [];
  const ids = await loadIdentities(kv, 'c1', (m) => warnings.push(m));
  assert.deepEqual(ids.map((i) => [i.id, i.cluster]), [[65792, 'c1'], [131328, 'c2']]);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? '', /65793/);
  const text = formatColumns(['ID', 'CLUSTER', 'LABELS'], identityListRows([...reservedIdentities(), ...ids]));
  assert.match(text, /^1 +reserved:host$/m);
  assert.match(text, /^6 +reserved:remote-node$/m);
  assert.match(text, /^65792 +c1 +k8s:app=db$/m);
  assert.match(text, /^ +k8s:io\.cilium\.k8s\.policy\.cluster=c1$/m);
  assert.match(text, /^131328 +c2 +k8s:app=employee$/m);
});
