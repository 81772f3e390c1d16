import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keys } from '../kvstore/keys.ts';
import { MemoryKv } from '../kvstore/memory.ts';
import { parseManifests } from '../model/manifest.ts';
import type { EndpointState, IdentityState } from '../model/state.ts';
import { SEED_003, SEED_003_CNP } from '../policy/testFixtures.ts';
import type { IdentityInfo } from '../policy/types.ts';
import { endpointEnforcement } from './endpointPolicy.ts';
import { loadEndpoints } from './endpoint.ts';

const ep = (info: IdentityInfo, ip: string): EndpointState => ({ ip, node: 'n1', hostIP: '172.30.1.11', identity: info.id, labels: { ...info.labels }, namedPorts: [], ready: true });

void test("endpoint list enforcement: seed 003's policy selects protected-db for ingress only; remote endpoints unknown", async () => {
  const kv = new MemoryKv();
  const [cnp] = parseManifests(SEED_003_CNP);
  assert.ok(cnp);
  await kv.put(keys.resource('ciliumnetworkpolicies', 'default', cnp.metadata.name), JSON.stringify(cnp));
  for (const [pod, info, ip] of [['protected-db-0', SEED_003.db, '10.1.0.2'], ['employee-0', SEED_003.employee1, '10.1.0.3'], ['stranger-0', SEED_003.stranger1, '10.1.0.4']] as const) {
    await kv.put(keys.endpoint('cluster1', 'default', pod), JSON.stringify(ep(info, ip)));
    await kv.put(keys.identity('cluster1', info.id), JSON.stringify({ labels: info.labels } satisfies IdentityState));
  }
  await kv.put(keys.meshRemote('cluster2'), '{}');
  await kv.put(keys.cacheOf('cluster2', keys.endpoint('cluster2', 'istio-space', 'employee-0')), JSON.stringify(ep(SEED_003.employee2, '10.2.0.3')));
  const enforcement = await endpointEnforcement(kv, { name: 'cluster1', cluster: 'cluster1', endpoints: [] });
  const rows = await loadEndpoints(kv, 'cluster1', { allClusters: true }, () => undefined);
  assert.deepEqual(
    rows.map((r) => [`${r.cluster}/${r.pod}`, enforcement(r)]),
    [
      ['cluster1/employee-0', { ingress: false, egress: false }],
      ['cluster1/protected-db-0', { ingress: true, egress: false }],
      ['cluster1/stranger-0', { ingress: false, egress: false }],
      ['cluster2/employee-0', undefined],
    ],
  );
});
