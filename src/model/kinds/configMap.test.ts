import { manifestFailure } from '../testFixtures.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isWeftError } from '../../errors.ts';
import { MemoryKv } from '../../kvstore/memory.ts';
import { resolveKindName } from '../kindRegistry.ts';
import { parseManifests } from '../manifest.ts';
import { applyDocuments } from '../resourceStore.ts';

const CM = `apiVersion: v1
kind: ConfigMap
metadata:
  name: rebel-base-response
data:
  message: "{\\"Galaxy\\": \\"Alderaan\\", \\"Cluster\\": \\"Cluster-1\\"}\\n"
`;


void test("seed 002's ConfigMap parses into the default namespace with its data", () => {
  const [cm] = parseManifests(CM);
  assert.ok(cm?.kind === 'ConfigMap');
  assert.equal(cm.metadata.namespace, 'default');
  assert.deepEqual(cm.data, { message: '{"Galaxy": "Alderaan", "Cluster": "Cluster-1"}\n' });
  assert.deepEqual(parseManifests('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: empty}\n')[0], {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'empty', namespace: 'default', labels: {}, annotations: {} }, data: {},
  });
});

void test('configmaps, configmap and cm name the kind', () => {
  for (const n of ['configmaps', 'configmap', 'cm', 'ConfigMap']) assert.equal(resolveKindName(n).plural, 'configmaps', n);
});

void test('binaryData, non-string values and bad keys are rejected naming them', () => {
  assert.match(manifestFailure(`${CM}binaryData: {logo: aGVsbG8=}\n`), /binaryData: binaryData is not supported by Weft.*aGVsbG8=/);
  assert.match(manifestFailure(CM.replace('  message:', '  port: 8080\n  message:')), /data\.port: must be a string, got 8080/);
  assert.match(manifestFailure(CM.replace('  message:', '  "a b": x\n  message:')), /data: must be a ConfigMap key.*"a b"/);
  assert.match(manifestFailure(`${CM}spec: {}\n`), /spec: unknown field/);
});

void test('an immutable ConfigMap cannot change; a mutable one can', async () => {
  const kv = new MemoryKv();
  await applyDocuments(kv, parseManifests(`${CM}immutable: true\n`));
  await applyDocuments(kv, parseManifests(`${CM}immutable: true\n`)); // unchanged: fine
  await assert.rejects(applyDocuments(kv, parseManifests(`${CM.replace('Cluster-1', 'c2')}immutable: true\n`)), (err) => isWeftError(err, 'InvalidManifest') && /immutable/.test(err.message));
  await assert.rejects(applyDocuments(kv, parseManifests(CM)), /immutable/);
  const other = CM.replace('rebel-base-response', 'other');
  await applyDocuments(kv, parseManifests(other));
  await applyDocuments(kv, parseManifests(other.replace('Cluster-1', 'c2')));
});
