import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keys } from '../kvstore/keys.ts';
import { MemoryKv } from '../kvstore/memory.ts';
import type { EndpointState } from '../model/state.ts';
import { formatColumns } from './output.ts';
import { endpointListHeader, endpointListJson, endpointListRows, loadEndpoints } from './endpoint.ts';

const ep = (ip: string, identity: number, labels: Record<string, string>): EndpointState => ({ ip, node: 'n1', hostIP: '172.30.1.11', identity, labels, namedPorts: [], ready: true });

async function store(): Promise<MemoryKv> {
  const kv = new MemoryKv();
  await kv.put(keys.endpoint('c1', 'default', 'db'), JSON.stringify(ep('10.1.0.5', 65792, { app: 'db', 'io.kubernetes.pod.namespace': 'default' })));
  await kv.put(keys.endpoint('c1', 'istio-space', 'emp'), JSON.stringify(ep('10.1.0.6', 65793, { app: 'employee' })));
  await kv.put(keys.cacheOf('c2', keys.endpoint('c2', 'default', 'x')), JSON.stringify(ep('10.2.0.5', 131328, { app: 'x' })));
  await kv.put(keys.meshRemote('c2'), '{}');
  return kv;
}

test('endpoint list: local endpoints by default, a namespace filter, --all-clusters adds the mesh cache', async () => {
  const kv = await store();
  const none = (): void => assert.fail('no warning expected');
  assert.deepEqual((await loadEndpoints(kv, 'c1', { allClusters: false }, none)).map((r) => `${r.cluster}/${r.namespace}/${r.pod}`), ['c1/default/db', 'c1/istio-space/emp']);
  assert.deepEqual((await loadEndpoints(kv, 'c1', { allClusters: false, namespace: 'default' }, none)).map((r) => r.pod), ['db']);
  assert.deepEqual((await loadEndpoints(kv, 'c1', { allClusters: true }, none)).map((r) => `${r.cluster}/${r.pod}`), ['c1/db', 'c1/emp', 'c2/x']);
});

test('endpoint list table: labels one per line; enforcement columns only with the hook', async () => {
  const rows = await loadEndpoints(await store(), 'c1', { allClusters: true }, () => undefined);
  const plain = formatColumns(endpointListHeader(false), endpointListRows(rows));
  assert.match(plain, /^ENDPOINT +CLUSTER +NODE +IPv4 +IDENTITY +READY +LABELS$/m);
  assert.match(plain, /^default\/db +c1 +n1 +10\.1\.0\.5 +65792 +yes +k8s:app=db$/m);
  assert.match(plain, /^ +k8s:io\.kubernetes\.pod\.namespace=default$/m);
  assert.doesNotMatch(plain, /POLICY/);
  const enforcement = (r: { cluster: string; pod: string }) => (r.cluster === 'c1' ? { ingress: r.pod === 'db', egress: false } : undefined);
  const withPolicy = formatColumns(endpointListHeader(true), endpointListRows(rows, enforcement));
  assert.match(withPolicy, /^default\/db +c1 +n1 +10\.1\.0\.5 +65792 +Enabled +Disabled +yes +k8s:app=db$/m);
  assert.match(withPolicy, /^default\/x +c2 +n1 +10\.2\.0\.5 +131328 +- +- +yes/m);
  const json = endpointListJson(rows, enforcement) as { pod: string; identity: number; policyEnforcement?: unknown }[];
  assert.deepEqual(json[0]?.policyEnforcement, { ingress: true, egress: false });
  assert.equal(json[2]?.policyEnforcement, undefined);
  assert.equal(json[0]?.identity, 65792);
});

test('endpoint list drops column: in/out per local endpoint, 0/0 when none, - for remote endpoints', async () => {
  const rows = await loadEndpoints(await store(), 'c1', { allClusters: true }, () => undefined);
  const drops = { cluster: 'c1', counts: new Map([['10.1.0.5', { ingress: 6, egress: 1 }]]) };
  const table = formatColumns(endpointListHeader(false, true), endpointListRows(rows, undefined, drops));
  const cells = (pod: string): string[] => (table.split('\n').find((l) => l.startsWith(pod)) ?? '').split(/\s+/);
  assert.match(table, /DROPS \(in\/out\)/);
  assert.equal(cells('default/db')[5], '6/1');
  assert.equal(cells('istio-space/emp')[5], '0/0');
  assert.equal(cells('default/x')[5], '-');
  const json = endpointListJson(rows, undefined, drops) as { pod: string; policyDrops?: unknown }[];
  assert.deepEqual(json.map((j) => [j.pod, j.policyDrops]), [
    ['db', { ingress: 6, egress: 1 }],
    ['emp', { ingress: 0, egress: 0 }],
    ['x', undefined],
  ]);
});
