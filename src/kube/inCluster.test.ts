import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type https from 'node:https';
import { IN_CLUSTER, loadInClusterConfig, SERVICE_ACCOUNT_DIR } from './inCluster.ts';
import { loadKubeConfig as loadOperatorKubeConfig } from '../operator/kube/client.ts';
import { loadKubeConfig as loadNodeKubeConfig } from '../kubelet/kubeApiClient.ts';
import { WeftError } from '../errors.ts';

function serviceAccount(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'weft-incluster-'));
  mkdirSync(path.join(root, SERVICE_ACCOUNT_DIR), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(root, SERVICE_ACCOUNT_DIR, name), text);
  return root;
}

const ENV = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };

test('in-cluster: the API server from KUBERNETES_SERVICE_HOST/PORT, the CA and a bearer token from the service account', async () => {
  const root = serviceAccount({ token: 'tok-123', 'ca.crt': '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', namespace: 'weft-system' });
  const saved = { ...process.env };
  Object.assign(process.env, ENV);
  try {
    const kc = loadInClusterConfig(root, ENV);
    assert.equal(kc.getCurrentCluster()?.server, 'https://10.96.0.1:443');
    assert.equal(kc.getCurrentCluster()?.caFile, `${root}${SERVICE_ACCOUNT_DIR}/ca.crt`);
    const opts: https.RequestOptions = { headers: {} };
    await kc.applyToHTTPSOptions(opts);
    assert.equal((opts.headers as Record<string, string>)['Authorization'], 'Bearer tok-123');
    assert.match(String(opts.ca), /BEGIN CERTIFICATE/);
  } finally {
    process.env = saved;
    rmSync(root, { recursive: true, force: true });
  }
});

test('in-cluster: outside a pod the error names the missing variables', () => {
  assert.throws(() => loadInClusterConfig('', {}), (err: unknown) => err instanceof WeftError && /KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT not set/.test(err.message));
});

test('in-cluster: a missing token is named with its path', () => {
  const root = serviceAccount({ 'ca.crt': 'x' });
  try {
    assert.throws(() => loadInClusterConfig(root, ENV), (err: unknown) => err instanceof WeftError && err.message.includes(`${root}${SERVICE_ACCOUNT_DIR}/token not found`));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('--kubeconfig in-cluster is taken by the operator and the agent loaders (and not read as a file name)', () => {
  for (const load of [loadOperatorKubeConfig, loadNodeKubeConfig]) {
    const saved = { ...process.env };
    delete process.env['KUBERNETES_SERVICE_HOST'];
    try {
      assert.throws(() => load(IN_CLUSTER), /KUBERNETES_SERVICE_HOST .*not set/);
    } finally {
      process.env = saved;
    }
  }
});
