import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifests } from '../model/manifest.ts';
import { POD, SERVICE, clusterYaml, planDeployment, podDoc, policyDoc } from './manifests.ts';

interface PodLike {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: { nodeName?: string; selector?: Record<string, string> };
}

test('two clusters: clients and echo pods pinned to nodes, local and global services', () => {
  const plan = planDeployment({ namespace: 'weft-test', localNodes: ['n1', 'n2'], remoteNodes: ['n1'] });
  assert.deepEqual(plan.local.pods.map((p) => `${p.name}@${p.node}`), ['client@n1', 'client2@n1', 'echo-same-node@n1', 'echo-other-node@n2']);
  assert.deepEqual(plan.local.services.map((s) => s.name), [SERVICE.local, SERVICE.global, SERVICE.affinity]);
  assert.deepEqual(plan.remote?.pods.map((p) => `${p.name}@${p.node}`), ['echo-other-cluster@n1']);
  assert.equal(plan.affinityBackend, POD.echoOtherNode);
  const docs = parseManifests(clusterYaml('weft-test', plan.local), 'plan') as unknown as PodLike[];
  assert.deepEqual(docs.map((d) => `${d.kind}/${d.metadata.name}`), [
    'Namespace/weft-test', 'Pod/client', 'Pod/client2', 'Pod/echo-same-node', 'Pod/echo-other-node', 'Service/echo', 'Service/echo-global', 'Service/echo-affinity',
  ]);
  const affinity = docs.find((d) => d.metadata.name === SERVICE.affinity);
  assert.equal(affinity?.metadata.annotations?.['service.cilium.io/affinity'], 'local');
  assert.equal(affinity?.metadata.annotations?.['service.cilium.io/global'], 'true');
  // only one local pod backs the affinity service, so deleting it fails over
  const backers = plan.local.pods.filter((p) => Object.entries(plan.local.services[2]?.selector ?? {}).every(([k, v]) => p.labels[k] === v));
  assert.deepEqual(backers.map((p) => p.name), [POD.echoOtherNode]);
});

test('one cluster with one node: no global services, no other-node pod', () => {
  const plan = planDeployment({ namespace: 'ct', localNodes: ['n1'], remoteNodes: undefined });
  assert.deepEqual(plan.local.pods.map((p) => p.name), ['client', 'client2', 'echo-same-node']);
  assert.deepEqual(plan.local.services.map((s) => s.name), [SERVICE.local]);
  assert.equal(plan.remote, undefined);
  assert.equal(parseManifests(clusterYaml('ct', plan.local), 'plan').length, 5);
});

test('only client carries the label the policy allows', () => {
  const plan = planDeployment({ namespace: 'weft-test', localNodes: ['n1', 'n2'], remoteNodes: undefined });
  const labelled = plan.local.pods.filter((p) => p.labels['access'] === 'allowed').map((p) => p.name);
  assert.deepEqual(labelled, [POD.client]);
  const echo = podDoc('weft-test', plan.local.pods[2] ?? assert.fail()) as { spec: { containers: { ports?: unknown[] }[] } };
  assert.equal(echo.spec.containers[0]?.ports?.length, 1);
});

test('the policy is the documented CiliumNetworkPolicy shape', () => {
  const p = policyDoc('weft-test') as { apiVersion: string; kind: string; spec: { endpointSelector: unknown; ingress: { fromEndpoints: unknown; toPorts: unknown }[] } };
  assert.equal(p.apiVersion, 'cilium.io/v2');
  assert.equal(p.kind, 'CiliumNetworkPolicy');
  assert.deepEqual(p.spec.endpointSelector, { matchLabels: { name: POD.echoSameNode } });
  assert.deepEqual(p.spec.ingress, [{ fromEndpoints: [{ matchLabels: { access: 'allowed' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }]);
});
