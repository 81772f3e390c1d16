import { test } from 'node:test';
import assert from 'node:assert/strict';
import { namespaceOf } from '../model/kindRegistry.ts';
import { parseManifests } from '../model/manifest.ts';
import { selectByLabels } from './applySelection.ts';
import { namespaceDocument } from './resources.ts';

const FILE = `
apiVersion: v1
kind: Service
metadata: { name: helloworld, labels: { app: helloworld, service: helloworld } }
spec: { ports: [{ port: 5000, name: http }], selector: { app: helloworld } }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: helloworld-v1, labels: { version: v1 } }
spec:
  selector: { matchLabels: { app: helloworld, version: v1 } }
  template:
    metadata: { labels: { app: helloworld, version: v1 } }
    spec: { containers: [{ name: helloworld, image: docker.io/istio/examples-helloworld-v1, ports: [{ containerPort: 5000 }] }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: helloworld-v2, labels: { version: v2 } }
spec:
  selector: { matchLabels: { app: helloworld, version: v2 } }
  template:
    metadata: { labels: { app: helloworld, version: v2 } }
    spec: { containers: [{ name: helloworld, image: docker.io/istio/examples-helloworld-v2, ports: [{ containerPort: 5000 }] }] }
`;

void test('-l keeps the documents whose own labels match (kubectl create -f … -l …)', () => {
  const docs = parseManifests(FILE, 'helloworld.yaml');
  assert.deepEqual(selectByLabels(docs, 'app=helloworld', 'helloworld.yaml').map((d) => d.metadata.name), ['helloworld']);
  assert.deepEqual(selectByLabels(docs, 'version=v2', 'helloworld.yaml').map((d) => d.metadata.name), ['helloworld-v2']);
  assert.deepEqual(selectByLabels(docs, 'app=helloworld,service=helloworld', 'helloworld.yaml').map((d) => d.metadata.name), ['helloworld']);
  assert.equal(selectByLabels(docs, undefined, 'helloworld.yaml').length, 3);
});

void test('a selection that keeps nothing is an error naming the selector and the file; a bad selector too', () => {
  const docs = parseManifests(FILE, 'helloworld.yaml');
  assert.throws(() => selectByLabels(docs, 'version=v3', 'helloworld.yaml'), /none of the 3 objects in helloworld\.yaml has the labels "version=v3"/);
  assert.throws(() => selectByLabels(docs, 'version', 'helloworld.yaml'), /"version" is not key=value/);
});

void test('-n puts objects that name no namespace there; one naming another namespace fails; cluster-scoped kinds are left alone', () => {
  const docs = parseManifests(FILE, 'helloworld.yaml', { namespace: 'sample' });
  assert.deepEqual(docs.map((d) => namespaceOf(d)), ['sample', 'sample', 'sample']);
  const other = FILE.replace('name: helloworld-v1,', 'name: helloworld-v1, namespace: prod,');
  assert.throws(() => parseManifests(other, 'helloworld.yaml', { namespace: 'sample' }), /document 2 \(Deployment "helloworld-v1"\): the namespace from the provided object "prod" does not match the namespace "sample"/);
  const same = FILE.replace('name: helloworld-v1,', 'name: helloworld-v1, namespace: sample,');
  assert.equal(parseManifests(same, 'helloworld.yaml', { namespace: 'sample' }).length, 3);
  const [ns] = parseManifests('apiVersion: v1\nkind: Namespace\nmetadata: { name: sample }\n', 'ns.yaml', { namespace: 'other' });
  assert.ok(ns);
  assert.equal(namespaceOf(ns), undefined);
});

void test('weft create namespace builds one Namespace object', () => {
  const [ns, ...rest] = namespaceDocument('sample');
  assert.equal(rest.length, 0);
  assert.equal(ns?.kind, 'Namespace');
  assert.equal(ns?.metadata.name, 'sample');
  assert.throws(() => namespaceDocument('Bad_Name'), /Bad_Name/);
});
