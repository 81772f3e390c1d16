import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keys } from '../kvstore/keys.ts';
import { MemoryKv } from '../kvstore/memory.ts';
import { serviceFrontends } from '../services/frontends.ts';
import { backend, state } from '../services/testFixtures.ts';
import { serviceListRows } from './services.ts';
import { loadServiceStates } from './serviceStates.ts';
import { formatColumns } from './output.ts';

void test('local services and the cached services of connected remotes are read; invalid values are skipped with a warning', async () => {
  const kv = new MemoryKv();
  const local = state('c1', 'echo-1', '10.101.1.1', [backend('10.1.0.5', { '': 8080 })]);
  const remote = state('c2', 'echo-1', '10.102.1.1', [backend('10.2.0.5', { '': 8080 })]);
  const stale = state('c3', 'echo-1', '10.103.1.1', [backend('10.3.0.5', { '': 8080 })]);
  await kv.put(keys.service('c1', 'default', 'echo-1'), JSON.stringify(local));
  await kv.put(keys.service('c1', 'default', 'bad'), '{"name": 1}');
  await kv.put(keys.meshRemote('c2'), '{}');
  await kv.put(keys.cacheOf('c2', keys.service('c2', 'default', 'echo-1')), JSON.stringify(remote));
  await kv.put(keys.cacheOf('c3', keys.service('c3', 'default', 'echo-1')), JSON.stringify(stale)); // not connected
  const warnings: string[] = [];
  const got = await loadServiceStates(kv, 'c1', (m) => warnings.push(m));
  assert.deepEqual(got, { local: [local], remote: [remote] });
  assert.deepEqual(warnings, ['skipping invalid service value at weft/state/services/v1/c1/default/bad']);
});

void test('the table lists each frontend with its backends, cluster, state and preferred mark', () => {
  const local = state('c1', 'echo-1', '10.101.1.1', [backend('10.1.0.5', { '': 8080 }), backend('10.1.1.5', { '': 8080 }, false)], { affinity: 'local' });
  const remote = state('c2', 'echo-1', '10.102.1.1', [backend('10.2.0.5', { '': 8080 })]);
  const plain = state('c1', 'db', '10.101.1.2', [], { global: false });
  const frontends = serviceFrontends({ cluster: 'c1', local: [local, plain], remote: [remote] });
  const text = formatColumns(['ID', 'Frontend', 'Service Type', 'Service', 'Backend'], serviceListRows(frontends, [local, plain]));
  assert.equal(
    text,
    [
      'ID   Frontend            Service Type   Service                                   Backend',
      '1    10.101.1.2:80/TCP   ClusterIP      default/db                                (no backends)',
      '2    10.101.1.1:80/TCP   ClusterIP      default/echo-1 (global, affinity local)   1 => 10.1.0.5:8080/TCP (c1) (active) (preferred)',
      '                                                                                  2 => 10.1.1.5:8080/TCP (c1) (not-ready) (preferred)',
      '                                                                                  3 => 10.2.0.5:8080/TCP (c2) (active)',
    ].join('\n'),
  );
});
