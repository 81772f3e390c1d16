import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parseManifests } from '../model/manifest.ts';
import { policyForClusters, SEED003_DIR } from './demoPolicy.ts';
import { servedBy } from './demoPods.ts';

void test("seed 003's policy with this lab's cluster names: only the cluster labels change", () => {
  const text = readFileSync(path.join(SEED003_DIR, 'l4-policy.yaml'), 'utf8');
  const out = policyForClusters(text, 'c1', 'c2');
  assert.match(out, /io\.cilium\.k8s\.policy\.cluster: c1\n/);
  assert.match(out, /io\.cilium\.k8s\.policy\.cluster: c2\n/);
  assert.doesNotMatch(out, /cluster[12]\b/);
  assert.equal(out.replace(/\bc([12])\b/g, 'cluster$1'), text);
  assert.equal(parseManifests(out, 'l4-policy.yaml').length, 1);
});

void test('servedBy: the pods named by the echo server, in order', () => {
  assert.deepEqual(servedBy('Request served by echo-1-a\n\nGET / HTTP/1.1\nRequest served by echo-1-b\ncurl: (28) timeout\n'), ['echo-1-a', 'echo-1-b']);
});
