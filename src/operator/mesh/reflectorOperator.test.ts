import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { keys } from '../../kvstore/keys.ts';
import { MemoryKv } from '../../kvstore/memory.ts';
import { startOperator } from '../operator.ts';
import { silentLogger } from '../../util/log.ts';
import { FakeRemote, fakeRemoteFactory } from './testRemote.ts';
import { clusterConfig, readStatus, seedCluster, until } from './testFixtures.ts';

test('the operator writes its sync marker after its initial lists and runs the reflector', async () => {
  const local = new MemoryKv();
  const remote = new FakeRemote('c2');
  const stateDir = mkdtempSync(path.join(tmpdir(), 'weft-op-reflector-'));
  await local.put(keys.clusterConfig('c1'), JSON.stringify(clusterConfig('c1', 1)));
  await seedCluster(remote.kv, 'c2');
  await local.put(keys.meshRemote('c2'), JSON.stringify(remote.config()));
  const op = startOperator({ kv: local, cluster: 'c1', logger: silentLogger, debounceMs: 1, reflector: { stateDir, connectRemote: fakeRemoteFactory(remote), statusIntervalMs: 1 } });
  try {
    await op.synced;
    await until('marker', async () => (await local.get(keys.synced('c1', 'state'))) !== undefined);
    assert.ok(!Number.isNaN(Date.parse((await local.get(keys.synced('c1', 'state')))?.value ?? '')));
    await until('remote ready', async () => (await readStatus(local, 'c2'))?.ready === true);
    assert.equal((await readStatus(local, 'c2'))?.counts.nodes, 2);
  } finally {
    await op.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
  assert.ok((await local.list(keys.cachePrefix('c2'))).entries.length > 0, 'stopping the operator keeps the cache');
});
