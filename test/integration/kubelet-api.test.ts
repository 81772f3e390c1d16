/**
 * The agent's kubelet side against a real kube-apiserver (1.20, Node + RBAC
 * authorization, NodeRestriction): the node's own credentials register the
 * Node and its Lease, see the PodCIDR, list/watch the pods bound to it, read
 * the ConfigMap its pod mounts (and no other), report the pod Ready for
 * `kubectl wait`, and finish a graceful deletion. kubectl uses a temp admin
 * kubeconfig only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { execFull, exec } from '../../src/util/exec.ts';
import { createLogger } from '../../src/util/log.ts';
import { createKubeletApi, loadKubeConfig } from '../../src/kubelet/kubeApiClient.ts';
import { KubeNode, hostNodeFacts } from '../../src/kubelet/nodeLifecycle.ts';
import { KubePodSource, kubeConfigMapSource } from '../../src/kubelet/kubePodSource.ts';
import { kubeApiAvailable, startRestartableKubeApi } from '../support/kubeApiRestartable.ts';

const logger = createLogger({ component: 'test' }, () => undefined);

async function until<T>(what: string, f: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

void test('kubelet API calls against a real kube-apiserver', { skip: kubeApiAvailable() ? false : 'no kube-apiserver (scripts/kube-bins.sh)', timeout: 300_000 }, async (t) => {
  const apiserver = await startRestartableKubeApi('10.236.0.0/16');
  t.after(() => apiserver.stop());
  const admin = await apiserver.kubeconfig('admin', 'kubernetes-admin', 'system:masters');
  const kubectl = (...args: string[]): Promise<string> => exec('kubectl', ['--kubeconfig', admin, ...args]);
  const nodeKubeconfig = await apiserver.kubeconfig('node-kn1-a', 'system:node:kn1-a', 'system:nodes');
  const api = createKubeletApi(loadKubeConfig(nodeKubeconfig), logger);

  // Node registration with the node's own identity; NotReady, then Ready.
  const node = new KubeNode(api, hostNodeFacts('kn1-a', '127.0.0.1'), logger);
  await node.register();
  const ready = async (): Promise<string> => kubectl('get', 'node', 'kn1-a', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}');
  assert.equal(await ready(), 'False');
  await node.setReady(true);
  assert.equal(await ready(), 'True');
  assert.equal(await kubectl('get', 'node', 'kn1-a', '-o', 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}'), '127.0.0.1');
  assert.equal(await kubectl('get', 'node', 'kn1-a', '-o', 'jsonpath={.status.daemonEndpoints.kubeletEndpoint.Port}'), '10250');
  const renew1 = await kubectl('get', 'lease', '-n', 'kube-node-lease', 'kn1-a', '-o', 'jsonpath={.spec.renewTime}');
  await sleep(1100);
  await node.heartbeat();
  const renew2 = await kubectl('get', 'lease', '-n', 'kube-node-lease', 'kn1-a', '-o', 'jsonpath={.spec.renewTime}');
  assert.notEqual(renew1, renew2, 'the lease is renewed');
  // Another node's lease is refused (NodeRestriction / Node authorizer).
  const other = createKubeletApi(loadKubeConfig(nodeKubeconfig), logger);
  await assert.rejects(other.createLease({ metadata: { name: 'kn1-b', namespace: 'kube-node-lease' }, spec: { holderIdentity: 'kn1-b' } }));

  // PodCIDR as the controller manager would set it.
  await kubectl('patch', 'node', 'kn1-a', '-p', '{"spec":{"podCIDR":"10.235.1.0/24","podCIDRs":["10.235.1.0/24"]}}');
  assert.equal(await node.waitForPodCidr(100), '10.235.1.0/24');

  // Pods bound to this node, through the list/watch.
  let changes = 0;
  const source = new KubePodSource({ api, node: 'kn1-a', nodeIp: '127.0.0.1', logger, onChange: () => changes++ });
  source.start();
  t.after(() => source.close());
  await until('pod watch synced', () => (source.isSynced() ? true : undefined));
  await kubectl('create', 'configmap', 'web-cfg', '--from-literal=index.html=hi');
  await kubectl('create', 'configmap', 'secret-cfg', '--from-literal=x=y');
  const podYaml = JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    spec: {
      nodeName: 'kn1-a',
      containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }], volumeMounts: [{ name: 'cfg', mountPath: '/usr/share/nginx/html' }] }],
      volumes: [{ name: 'cfg', configMap: { name: 'web-cfg' } }],
    },
  });
  const applied = await execFull('kubectl', ['--kubeconfig', admin, 'apply', '-f', '-'], { input: podYaml });
  assert.equal(applied.code, 0, applied.stderr);
  await kubectl('run', 'elsewhere', '--image=nginx', '--overrides={"spec":{"nodeName":"kn1-b"}}');
  const stored = await until('the pod in the source', () => source.get('default', 'web'));
  assert.equal(stored.spec.containers[0]?.image, 'nginx');
  assert.deepEqual(source.values().map((p) => p.metadata.name), ['web'], 'only pods bound to this node');
  assert.ok(changes > 0);

  // ConfigMaps: the one its pod mounts, not others (Node authorizer).
  const configMaps = kubeConfigMapSource(api);
  assert.deepEqual(await until('configmap readable', async () => (await configMaps.get('default', 'web-cfg').catch(() => undefined))), { data: { 'index.html': 'hi' } });
  await assert.rejects(configMaps.get('default', 'secret-cfg'), (err: unknown) => (err as { code?: number }).code === 403);

  // Status: Running and Ready; kubectl wait sees it.
  await source.reportStatus(stored, { phase: 'Running', podIP: '10.235.1.7', pids: [1], netns: 'n', startedAt: new Date().toISOString(), restarts: 0, message: '' });
  await kubectl('wait', '--for=condition=Ready', 'pod/web', '--timeout=30s');
  assert.equal(await kubectl('get', 'pod', 'web', '-o', 'jsonpath={.status.podIP} {.status.hostIP} {.status.phase} {.status.containerStatuses[0].ready}'), '10.235.1.7 127.0.0.1 Running true');

  // Graceful deletion: the pod is left out of the source, and deleted once stopped.
  await kubectl('delete', 'pod', 'web', '--wait=false');
  await until('deletionTimestamp seen', () => (source.values().length === 0 ? true : undefined));
  await source.afterReconcile(new Set(['default/web']));
  assert.match(await kubectl('get', 'pod', 'web', '-o', 'jsonpath={.metadata.deletionTimestamp}'), /\d{4}-/, 'still there while its sandbox runs');
  await source.afterReconcile(new Set());
  await until('pod gone', () => kubectl('get', 'pod', 'web').then(() => undefined, (err: unknown) => (/NotFound/.test(String(err)) ? true : undefined)));
  node.stop();
});
