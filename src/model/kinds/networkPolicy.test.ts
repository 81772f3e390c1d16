import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifests } from '../manifest.ts';
import { resolveKindName } from '../kindRegistry.ts';
import { parseStoredResource } from '../resourceStore.ts';
import { manifestFailure } from '../testFixtures.ts';
import { networkPolicyKind, npPolicyTypes } from './networkPolicy.ts';

const np = (spec: string): string => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: db}
spec:
  podSelector: {matchLabels: {app: db}}
${spec}`;

test('a NetworkPolicy with namespaceSelector is accepted and round-trips through the store', () => {
  const [r] = parseManifests(np(`  policyTypes: [Ingress, Egress]
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {env: dev}}
      podSelector: {matchExpressions: [{key: app, operator: In, values: [web]}]}
    ports: [{port: 6379}, {port: redis, protocol: TCP}]
  egress:
  - to: [{podSelector: {}}]
`));
  assert.ok(r?.kind === 'NetworkPolicy');
  assert.deepEqual(parseStoredResource(networkPolicyKind, 'k', JSON.stringify(r)), r);
  assert.deepEqual(npPolicyTypes(r.spec), { ingress: true, egress: true });
  assert.equal(resolveKindName('netpol').kind, 'NetworkPolicy');
  assert.equal(resolveKindName('networkpolicies').kind, 'NetworkPolicy');
});

test('policyTypes defaults: Ingress always, Egress when there is an egress rule', () => {
  const types = (spec: string) => {
    const [r] = parseManifests(np(spec));
    assert.ok(r?.kind === 'NetworkPolicy');
    return npPolicyTypes(r.spec);
  };
  assert.deepEqual(types(''), { ingress: true, egress: false });
  assert.deepEqual(types('  egress: [{}]'), { ingress: true, egress: true });
  assert.deepEqual(types('  policyTypes: [Egress]'), { ingress: false, egress: true });
});

test('unsupported fields and invalid values are rejected naming them', () => {
  const cases: [string, string][] = [
    ['  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}}]}]', 'spec.ingress[0].from[0].ipBlock: is not supported by Weft'],
    ['  ingress: [{ports: [{port: 80, endPort: 90}]}]', 'spec.ingress[0].ports[0].endPort: is not supported by Weft'],
    ['  ingress: [{ports: [{port: 70000}]}]', 'got 70000'],
    ['  ingress: [{ports: [{port: 80, protocol: ICMP}]}]', 'got "ICMP"'],
    ['  ingress: [{ports: [{protocol: UDP}]}]', 'all UDP ports'],
    ['  egress: [{ports: [{port: dns}]}]', 'spec.egress[0].ports[0].port: named ports are supported in ingress rules only'],
    ['  policyTypes: [Both]', 'got "Both"'],
    ['  ingress: [{from: [{}]}]', 'a peer needs podSelector and/or namespaceSelector'],
    ['  ingress: [{from: [{namespaceSelector: {matchExpressions: [{key: env, operator: Foo}]}}]}]', 'got "Foo"'],
  ];
  for (const [spec, want] of cases) assert.ok(manifestFailure(np(spec)).includes(want), `${spec} → ${manifestFailure(np(spec))}`);
});
