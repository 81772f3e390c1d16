import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isWeftError } from '../errors.ts';
import { parseManifests } from '../model/manifest.ts';
import { parseStoredPolicy } from './normalize.ts';
import { SEED_003_CNP } from './testFixtures.ts';
import { LABEL } from './types.ts';

const KEY = 'weft/resources/ciliumnetworkpolicies/default/clustermesh-ingress-l4-policy';

test('seed 003 stored value → one policy: namespace added to peers that name none, cluster kept open', () => {
  const stored = JSON.stringify(parseManifests(SEED_003_CNP)[0]);
  const [p, ...rest] = parseStoredPolicy('ciliumnetworkpolicies', KEY, stored);
  assert.equal(rest.length, 0);
  assert.ok(p);
  assert.equal(p.key, KEY);
  assert.equal(p.namespace, 'default');
  assert.equal(p.egress, undefined);
  const rule = p.ingress?.rules[0];
  assert.ok(rule);
  assert.equal(rule.anyPeer, false);
  assert.deepEqual(rule.ports, [{ kind: 'number', proto: 'tcp', port: 6379 }]);
  assert.deepEqual(
    rule.selectors.map((s) => [s.selector.text, s.namesCluster]),
    [
      [`app=employee,${LABEL.cluster}=cluster2,${LABEL.namespace}=istio-space`, true],
      [`app=employee,${LABEL.namespace}=default`, false],
    ],
  );
});

test('specs: one normalized policy per rule; peers without a namespace get the policy namespace', () => {
  const value = JSON.stringify({
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'two', namespace: 'team-a' },
    specs: [
      { endpointSelector: { matchLabels: { app: 'a' } }, ingress: [{ fromEndpoints: [{}] }] },
      { endpointSelector: { matchLabels: { app: 'b' } }, egress: [{ toEntities: ['world'], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] }] },
    ],
  });
  const ps = parseStoredPolicy('ciliumnetworkpolicies', 'k', value);
  assert.deepEqual(ps.map((p) => p.key), ['k', 'k#1']);
  assert.equal(ps[0]?.ingress?.rules[0]?.selectors[0]?.selector.text, `${LABEL.namespace}=team-a`);
  assert.equal(ps[0]?.egress, undefined);
  assert.deepEqual(ps[1]?.egress?.rules[0], { anyPeer: false, selectors: [], entities: ['world'], ports: [{ kind: 'number', proto: 'udp', port: 53 }] });
});

test('NetworkPolicy: namespaceSelector becomes namespace-label requirements; policyTypes defaults', () => {
  const value = JSON.stringify({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'np', namespace: 'db' },
    spec: {
      podSelector: { matchLabels: { app: 'db' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { env: 'dev' } }, podSelector: { matchLabels: { app: 'x' } } }], ports: [{ port: 'redis' }] }],
    },
  });
  const [p] = parseStoredPolicy('networkpolicies', 'k', value);
  assert.equal(p?.egress, undefined);
  const rule = p?.ingress?.rules[0];
  assert.equal(rule?.selectors[0]?.selector.text, `app=x,${LABEL.namespaceLabelsPrefix}env=dev`);
  assert.deepEqual(rule?.ports, [{ kind: 'named', name: 'redis', proto: 'tcp' }]);
});

test('invalid stored values and unknown kinds are WeftErrors naming the key', () => {
  assert.throws(() => parseStoredPolicy('networkpolicies', 'weft/x', '{"kind":"NetworkPolicy"}'), (e) => isWeftError(e, 'KvInvalidValue') && e.message.includes('weft/x'));
  assert.throws(() => parseStoredPolicy('networkpolicies', 'weft/x', 'not json'), (e) => isWeftError(e, 'KvInvalidValue'));
  assert.throws(() => parseStoredPolicy('pods', 'k', '{}'), (e) => isWeftError(e, 'InvalidInput') && e.message.includes('"pods"'));
});
