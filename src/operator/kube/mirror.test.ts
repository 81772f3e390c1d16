import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryKv } from '../../kvstore/memory.ts';
import { applyDocuments } from '../../model/resourceStore.ts';
import { parseManifests } from '../../model/manifest.ts';
import { mirrorResources, planMirror, type MirrorAction } from './mirror.ts';

/** As the API lists them: no apiVersion/kind on items, server metadata, defaults filled in. */
const apiMeta = (name: string, namespace?: string) => ({ name, ...(namespace === undefined ? {} : { namespace }), uid: 'u-1', resourceVersion: '42', creationTimestamp: '2024-01-01T00:00:00Z', managedFields: [{ manager: 'kubectl' }] });
const ns = { metadata: { ...apiMeta('team-a'), labels: { 'kubernetes.io/metadata.name': 'team-a', env: 'prod' } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
const np = { metadata: apiMeta('allow-web', 'team-a'), spec: { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: {} }], ports: [{ protocol: 'TCP', port: 80 }] }], policyTypes: ['Ingress'] } };
const cnp = { metadata: { ...apiMeta('l4', 'team-a'), generation: 1 }, spec: { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'client' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }] } };

void test('Namespaces, NetworkPolicies and CiliumNetworkPolicies mirror to the keys and shapes `weft apply` writes', async () => {
  const out = mirrorResources(new Map([['namespaces', [ns]], ['networkpolicies', [np]], ['ciliumnetworkpolicies', [cnp]]]));
  assert.deepEqual(out.problems, []);
  // what weft apply stores for the same manifests (same creationTimestamp)
  const kv = new MemoryKv();
  const docs = parseManifests(
    JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { 'kubernetes.io/metadata.name': 'team-a', env: 'prod' } } }) +
      '\n---\n' +
      JSON.stringify({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'allow-web', namespace: 'team-a' }, spec: np.spec }) +
      '\n---\n' +
      JSON.stringify({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'l4', namespace: 'team-a' }, spec: cnp.spec }),
  );
  await applyDocuments(kv, docs, { now: () => new Date('2024-01-01T00:00:00Z') });
  const { entries } = await kv.list('weft/resources/');
  const applied = new Map(entries.map((e) => [e.key, JSON.parse(e.value) as unknown]));
  assert.deepEqual([...out.desired.keys()].sort(), [...applied.keys()].sort());
  for (const [key, value] of out.desired) assert.deepEqual({ ...value, metadata: { ...value.metadata, creationTimestamp: '2024-01-01T00:00:00.000Z' } }, applied.get(key), key);
});

void test('an object Weft refuses is not mirrored and the problem names its field path', () => {
  const bad = { metadata: apiMeta('cidr', 'team-a'), spec: { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }], policyTypes: ['Egress'] } };
  const out = mirrorResources(new Map([['networkpolicies', [bad, np]]]));
  assert.equal(out.desired.size, 1);
  assert.match(out.problems.join('\n'), /NetworkPolicy "cidr".*spec\.egress\[0\]\.to\[0\]\.ipBlock.*not supported/);
});

const run = async (kv: MemoryKv, actions: readonly MirrorAction[]) => {
  for (const a of actions) if (a.type === 'put') await kv.put(a.key, a.value);
  else await kv.delete(a.key);
};
const stored = async (kv: MemoryKv, prefix: string) => new Map((await kv.list(prefix)).entries.map((e) => [e.key, e.value]));

void test('planMirror against the kvstore: writes what is missing, leaves equal values alone, deletes what the API no longer has (a relist leaves nothing stale)', async () => {
  const kv = new MemoryKv();
  const prefix = 'weft/resources/namespaces/';
  const first = mirrorResources(new Map([['namespaces', [ns, { metadata: apiMeta('team-b') }]]]));
  const a1 = planMirror(first.desired, await stored(kv, prefix));
  assert.deepEqual(a1.map((a) => a.type), ['put', 'put']);
  await run(kv, a1);
  assert.deepEqual(planMirror(first.desired, await stored(kv, prefix)), []);
  // a stale entry (written while the operator was away) and team-b deleted from the API
  await kv.put(`${prefix}_/stale`, '{"apiVersion":"v1"}');
  const second = mirrorResources(new Map([['namespaces', [{ ...ns, metadata: { ...ns.metadata, labels: { env: 'dev' } } }]]]));
  const a2 = planMirror(second.desired, await stored(kv, prefix));
  assert.deepEqual(a2.map((a) => `${a.type} ${a.key}`).sort(), [`delete ${prefix}_/stale`, `delete ${prefix}_/team-b`, `put ${prefix}_/team-a`]);
  await run(kv, a2);
  assert.deepEqual([...(await stored(kv, prefix)).keys()], [`${prefix}_/team-a`]);
  assert.deepEqual(planMirror(second.desired, await stored(kv, prefix)), []);
});
