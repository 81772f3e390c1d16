import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isWeftError } from '../errors.ts';
import { DEFAULT_KUBE_BIN_DIR, kubeBinDir, resolveKubeBins } from './bins.ts';

test('WEFT_KUBE_BIN wins over the build cache', () => {
  assert.equal(kubeBinDir({ WEFT_KUBE_BIN: '/opt/k8s' }), '/opt/k8s');
  assert.equal(kubeBinDir({}), DEFAULT_KUBE_BIN_DIR);
  const bins = resolveKubeBins({ WEFT_KUBE_BIN: '/opt/k8s' }, () => true);
  assert.equal(bins['kube-apiserver'], '/opt/k8s/kube-apiserver');
  assert.equal(bins['kube-scheduler'], '/opt/k8s/kube-scheduler');
});

test('a missing binary names the folder, the binary and scripts/kube-bins.sh', () => {
  assert.throws(
    () => resolveKubeBins({}, (f) => !f.endsWith('kube-scheduler')),
    (e) => isWeftError(e) && e.message.includes(DEFAULT_KUBE_BIN_DIR) && /no executable kube-scheduler/.test(e.message) && e.message.includes('scripts/kube-bins.sh'),
  );
  assert.throws(() => resolveKubeBins({ WEFT_KUBE_BIN: '/nope' }, () => false), (e) => isWeftError(e) && /WEFT_KUBE_BIN=\/nope/.test(e.message));
});
