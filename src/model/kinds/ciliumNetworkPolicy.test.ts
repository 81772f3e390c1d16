import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifests } from '../manifest.ts';
import { keyOfResource, resolveKindName } from '../kindRegistry.ts';
import { parseStoredResource } from '../resourceStore.ts';
import { manifestFailure } from '../testFixtures.ts';
import { SEED_003_CNP } from '../../policy/testFixtures.ts';
import { ciliumNetworkPolicyKind } from './ciliumNetworkPolicy.ts';

const cnp = (spec: string): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p}
spec:
  endpointSelector: {matchLabels: {app: db}}
${spec}`;

test("seed 003's policy is accepted as written (metadata.description kept) and round-trips through the store", () => {
  const [r] = parseManifests(SEED_003_CNP);
  assert.ok(r?.kind === 'CiliumNetworkPolicy');
  assert.equal(r.metadata.description, 'demo: allow only employee to access protected-db');
  assert.equal(r.metadata.namespace, 'default');
  assert.equal(keyOfResource(r), 'weft/resources/ciliumnetworkpolicies/default/clustermesh-ingress-l4-policy');
  assert.deepEqual(parseStoredResource(ciliumNetworkPolicyKind, 'k', JSON.stringify(r)), r);
  for (const name of ['cnp', 'ciliumnetworkpolicies', 'ciliumnetworkpolicy', 'CiliumNetworkPolicy'.toLowerCase()]) assert.equal(resolveKindName(name).kind, 'CiliumNetworkPolicy');
});

test('unsupported Cilium fields are rejected naming the field path', () => {
  const cases: [string, string][] = [
    ['  ingress: [{fromCIDR: [10.0.0.0/8]}]', 'spec.ingress[0].fromCIDR: is not supported by Weft'],
    ['  ingress: [{fromCIDRSet: [{cidr: 10.0.0.0/8}]}]', 'spec.ingress[0].fromCIDRSet: is not supported by Weft'],
    ['  egress: [{toFQDNs: [{matchName: a.com}]}]', 'spec.egress[0].toFQDNs: is not supported by Weft'],
    ['  egress: [{toCIDR: [1.1.1.1/32]}]', 'spec.egress[0].toCIDR: is not supported by Weft'],
    ['  egress: [{toServices: [{k8sService: {serviceName: a}}]}]', 'spec.egress[0].toServices: is not supported by Weft'],
    ['  ingressDeny: [{fromEntities: [world]}]', 'spec.ingressDeny: is not supported by Weft'],
    ['  ingress: [{toPorts: [{ports: [{port: "80"}], rules: {http: [{method: GET}]}}]}]', 'spec.ingress[0].toPorts[0].rules: is not supported by Weft'],
    ['  ingress: [{toPorts: [{ports: [{port: "80", endPort: 90}]}]}]', 'spec.ingress[0].toPorts[0].ports[0].endPort: is not supported by Weft'],
    ['  ingress: [{icmps: [{fields: [{type: 8}]}]}]', 'spec.ingress[0].icmps: is not supported by Weft'],
    ['  ingress: [{fromRequires: [{}]}]', 'spec.ingress[0].fromRequires: is not supported by Weft'],
    ['  ingress: [{fromSomething: []}]', 'spec.ingress[0].fromSomething: unknown field, not supported by Weft'],
  ];
  for (const [spec, want] of cases) assert.ok(manifestFailure(cnp(spec)).includes(want), `${spec} → ${manifestFailure(cnp(spec))}`);
});

test('invalid values are rejected naming the value', () => {
  const cases: [string, string][] = [
    ['  ingress: [{toPorts: [{ports: [{port: "70000"}]}]}]', 'got "70000"'],
    ['  ingress: [{toPorts: [{ports: [{port: 80, protocol: ICMP}]}]}]', 'got "ICMP"'],
    ['  ingress: [{toPorts: [{ports: [{port: "0", protocol: TCP}]}]}]', 'toPorts port 0 with protocol TCP (all TCP ports) is not supported; give a port or use protocol ANY'],
    ['  ingress: [{toPorts: [{ports: [{protocol: UDP}]}]}]', 'all UDP ports'],
    ['  ingress: [{fromEntities: [health]}]', 'got "health"'],
    ['  ingress: [{fromEndpoints: [{matchExpressions: [{key: a, operator: Foo}]}]}]', 'got "Foo"'],
    ['  ingress: [{fromEndpoints: [{matchLabels: {"reserved:host": ""}}]}]', 'label source prefix "reserved:" is not supported'],
    ['  egress: [{toPorts: [{ports: [{port: http}]}]}]', 'spec.egress[0].toPorts[0].ports[0].port: named ports are supported in ingress rules only'],
    ['  ingress: [{toPorts: [{ports: []}]}]', 'spec.ingress[0].toPorts[0].ports: must have at least 1 item'],
  ];
  for (const [spec, want] of cases) assert.ok(manifestFailure(cnp(spec)).includes(want), `${spec} → ${manifestFailure(cnp(spec))}`);
  assert.ok(manifestFailure('apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p}\n').includes('needs spec (one rule) or specs'));
  assert.ok(manifestFailure(cnp('').replace('  endpointSelector: {matchLabels: {app: db}}\n', '  nodeSelector: {}\n')).includes('spec.nodeSelector: is not supported by Weft'));
});

test('specs (a list of rules) and named ingress ports are accepted', () => {
  const [r] = parseManifests(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: team-a}
specs:
- endpointSelector: {}
  ingress: [{toPorts: [{ports: [{port: http}]}]}]
- endpointSelector: {matchLabels: {app: b}}
  egress: [{toEntities: [cluster, world]}]
`);
  assert.ok(r?.kind === 'CiliumNetworkPolicy');
  assert.equal(r.specs?.length, 2);
});
