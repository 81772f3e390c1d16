import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isWeftError } from '../errors.ts';
import { parseManifests } from './manifest.ts';
import { DEPLOYMENT_YAML, NAMESPACE_YAML, POD_YAML } from './testFixtures.ts';

function failure(text: string): { code: string; message: string } {
  try {
    parseManifests(text);
  } catch (err) {
    assert.ok(isWeftError(err), `expected a WeftError, got ${String(err)}`);
    return { code: err.code, message: err.message };
  }
  assert.fail('expected parseManifests to throw');
}

void test('parses a multi-document file, skipping empty documents, filling defaults', () => {
  const docs = parseManifests(`---\n${NAMESPACE_YAML}---\n---\n# only a comment\n---\n${DEPLOYMENT_YAML}---\n${POD_YAML}`);
  assert.deepEqual(
    docs.map((d) => [d.kind, d.metadata.name]),
    [['Namespace', 'team-a'], ['Deployment', 'web'], ['Pod', 'client']],
  );
  const [ns, deploy, pod] = docs;
  assert.equal(ns?.kind === 'Namespace' && 'namespace' in ns.metadata, false);
  assert.ok(deploy?.kind === 'Deployment');
  assert.equal(deploy.metadata.namespace, 'team-a');
  assert.equal(deploy.spec.replicas, 3);
  assert.deepEqual(deploy.spec.template.spec.containers[0]?.ports, [{ containerPort: 8080, name: 'http', protocol: 'TCP' }]);
  assert.ok(pod?.kind === 'Pod');
  assert.equal(pod.metadata.namespace, 'default');
  assert.deepEqual(pod.metadata.annotations, {});
  assert.deepEqual(pod.spec.containers[0]?.command, ['sleep', 'infinity']);
});

void test('replicas defaults to 1; harmless Kubernetes fields are kept; unknown metadata fields are dropped', () => {
  const [d] = parseManifests(
    DEPLOYMENT_YAML.replace('  replicas: 3\n', '  strategy: {type: Recreate}\n')
      .replace('  namespace: team-a\n', '  namespace: team-a\n  uid: abc\n  description: demo\n')
      .replace('        image: jmalloc/echo-server\n', '        image: jmalloc/echo-server\n        imagePullPolicy: IfNotPresent\n        resources: {limits: {cpu: 1}}\n'),
  );
  assert.ok(d?.kind === 'Deployment');
  assert.equal(d.spec.replicas, 1);
  assert.deepEqual(d.spec.strategy, { type: 'Recreate' });
  assert.equal(d.spec.template.spec.containers[0]?.imagePullPolicy, 'IfNotPresent');
  assert.equal('uid' in d.metadata, false);
  assert.equal('description' in d.metadata, false);
});

void test('an empty file gives no resources', () => {
  assert.deepEqual(parseManifests(''), []);
  assert.deepEqual(parseManifests('---\n---\n'), []);
});

void test('invalid YAML names the document and the line', () => {
  const f = failure(`${POD_YAML}---\nkind: Pod\nspec: [1\n`);
  assert.equal(f.code, 'InvalidManifest');
  assert.match(f.message, /document 2, line \d+: invalid YAML/);
});

void test('an unknown kind names the document, the kind, its apiVersion and the supported kinds', () => {
  const f = failure(`${POD_YAML}---\napiVersion: v1\nkind: Foo\nmetadata: {name: x}\n`);
  assert.equal(f.code, 'UnknownKind');
  assert.match(f.message, /document 2: unknown kind "Foo" \(apiVersion v1\); supported: v1 Namespace, v1 Pod, apps\/v1 Deployment/);
});

void test('a known kind under the wrong apiVersion is unknown', () => {
  const f = failure(DEPLOYMENT_YAML.replace('apps/v1', 'extensions/v1beta1'));
  assert.equal(f.code, 'UnknownKind');
  assert.match(f.message, /unknown kind "Deployment" \(apiVersion extensions\/v1beta1\)/);
});

void test('missing apiVersion or kind is named', () => {
  assert.match(failure('kind: Pod\nmetadata: {name: x}\n').message, /document 1: apiVersion is required/);
  assert.match(failure('apiVersion: v1\nmetadata: {name: x}\n').message, /document 1: kind is required/);
  assert.match(failure('- a\n- b\n').message, /document 1: expected a mapping.*got a list/);
});

void test('a bad field names document, kind/name, line, field path and value', () => {
  const f = failure(`${NAMESPACE_YAML}---\n${DEPLOYMENT_YAML.replace('replicas: 3', 'replicas: three')}`);
  assert.equal(f.code, 'InvalidManifest');
  assert.match(f.message, /document 2 \(Deployment "web"\), line 12: spec\.replicas: must be a number, got "three"/);
});

void test('bad nested fields are named with their full path', () => {
  const f = failure(DEPLOYMENT_YAML.replace('containerPort: 8080', 'containerPort: 70000, protocol: SCTP'));
  assert.match(f.message, /spec\.template\.spec\.containers\[0\]\.ports\[0\]\.containerPort: must be <= 65535, got 70000/);
  assert.match(f.message, /spec\.template\.spec\.containers\[0\]\.ports\[0\]\.protocol: must be one of "TCP", "UDP", got "SCTP"/);
});

void test('names must follow DNS-1123 rules', () => {
  assert.match(failure(POD_YAML.replace('name: client', 'name: Client_1')).message, /metadata\.name: must be a lowercase RFC 1123 subdomain.*got "Client_1"/);
  assert.match(failure(NAMESPACE_YAML.replace('team-a', 'team.a')).message, /metadata\.name: must be a lowercase RFC 1123 label.*got "team\.a"/);
});

void test('label keys and values are checked; a non-string label value is named', () => {
  assert.match(failure(POD_YAML.replace('{app: client}', '{"bad key": x}')).message, /metadata\.labels: label key .* got key "bad key"/);
  assert.match(failure(POD_YAML.replace('{app: client}', '{app: true}')).message, /metadata\.labels\.app: must be a string, got true/);
});

void test('fields Weft does not support are rejected by path', () => {
  const f = failure(POD_YAML.replace('spec:\n', 'spec:\n  hostNetwork: true\n'));
  assert.match(f.message, /document 1 \(Pod "client"\), line 7: spec\.hostNetwork: unknown field, not supported by Weft \(value true\)/);
  assert.match(failure(DEPLOYMENT_YAML.replace('  replicas: 3', '  replica: 3')).message, /spec\.replica: unknown field/);
});

void test('a missing required field is named', () => {
  assert.match(failure(POD_YAML.replace('    image: busybox\n', '')).message, /spec\.containers\[0\]\.image: is required/);
  assert.match(failure('apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n').message, /document 1 \(Pod "x"\), line 1: spec: is required/);
  assert.match(failure(POD_YAML.replace(/ {2}containers:[^]*$/, '  containers: []\n')).message, /spec\.containers: must have at least 1 item, got \[\]/);
});

void test('the selector must match the template labels', () => {
  const f = failure(DEPLOYMENT_YAML.replace('matchLabels: {app: web}', 'matchLabels: {app: api}'));
  assert.match(f.message, /spec\.template\.metadata\.labels: selector\.matchLabels "app=api" does not match the template labels/);
});

void test('duplicate container names and port names are rejected', () => {
  const two = POD_YAML.replace('    command: [sleep, infinity]\n', '    ports: [{containerPort: 80, name: http}]\n  - name: sh\n    image: x\n    ports: [{containerPort: 81, name: http}]\n');
  const f = failure(two);
  assert.match(f.message, /spec\.containers\[1\]\.name: duplicate container name \(also containers\[0\]\), got "sh"/);
  assert.match(f.message, /spec\.containers\[1\]\.ports\[0\]\.name: duplicate port name in the pod, got "http"/);
});

void test('the same object twice in one file is rejected', () => {
  assert.match(failure(`${POD_YAML}---\n${POD_YAML}`).message, /document 2 \(Pod "client"\): the same object is also defined in document 1/);
});

void test('one bad document fails the whole file and every problem is listed', () => {
  const f = failure(`${NAMESPACE_YAML}---\n${POD_YAML.replace('busybox', '""')}---\napiVersion: v1\nkind: Foo\n`);
  assert.match(f.message, /2 problems, nothing applied/);
  assert.match(f.message, /document 2 \(Pod "client"\), line 14: spec\.containers\[0\]\.image: must not be empty/);
  assert.match(f.message, /document 3: unknown kind "Foo"/);
});

void test('seed 003 StatefulSet and seed 000 DaemonSet parse', () => {
  const docs = parseManifests(`apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: protected-db
  annotations:
    io.cilium/global-service: "true"
spec:
  replicas: 1
  selector:
    matchLabels:
      app: protected-db
  serviceName: ""
  template:
    metadata:
      labels:
        app: protected-db
    spec:
      containers:
      - image: redis:6.0.5-alpine
        name: protected-db
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: echo-1
spec:
  selector:
    matchLabels:
      run: echo-1
  template:
    metadata:
      labels:
        run: echo-1
    spec:
      containers:
        - image: jmalloc/echo-server
          imagePullPolicy: IfNotPresent
          name: echo-1
          ports:
            - containerPort: 8080
      tolerations:
      - operator: Exists
`);
  assert.deepEqual(docs.map((d) => d.kind), ['StatefulSet', 'DaemonSet']);
});

void test('null fields are unset, as in Kubernetes', () => {
  const [pod] = parseManifests(POD_YAML.replace('  labels: {app: client}\n', '  labels:\n  annotations: null\n'));
  assert.ok(pod?.kind === 'Pod');
  assert.deepEqual(pod.metadata.labels, {});
  assert.match(failure(POD_YAML.replace('  labels: {app: client}', '  labels: [a]')).message, /metadata\.labels: must be a mapping, got \["a"\]/);
});
