/**
 * `weft operator` as a subprocess against a real etcd: PodCIDRs, Deployment
 * scale up/down, DaemonSet, and a restart that changes nothing.
 */
import { startOperatorProcess } from '../support/operatorProcess.ts';
import type { OperatorProc } from '../support/operatorProcess.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestEtcd } from '../support/etcd.ts';
import { createEtcdKv } from '../../src/kvstore/etcd.ts';
import type { KvBackend } from '../../src/kvstore/backend.ts';
import { keys } from '../../src/kvstore/keys.ts';
import { errorMessage } from '../../src/errors.ts';
import { parseManifests } from '../../src/model/manifest.ts';
import { applyDocuments, listResources } from '../../src/model/resourceStore.ts';
import type { Pod } from '../../src/model/resources.ts';
import type { NodeState } from '../../src/model/state.ts';
import { isAlive, stopProcess } from '../../src/util/proc.ts';

const CLUSTER = 'opc1';


async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}${last === undefined ? '' : `: ${errorMessage(last)}`}`);
}

async function nodes(kv: KvBackend): Promise<NodeState[]> {
  return (await kv.list(keys.nodesPrefix(CLUSTER))).entries.map((e) => JSON.parse(e.value) as NodeState);
}

async function pods(kv: KvBackend): Promise<Pod[]> {
  return (await listResources(kv, 'pods')).filter((p): p is Pod => p.kind === 'Pod');
}

function node(name: string, ip: string): NodeState {
  return { name, cluster: CLUSTER, clusterId: 7, ip, podCIDR: '', vtep: ip, bootId: 'boot', ready: true };
}

const deployment = (replicas: number): string => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: echo, image: jmalloc/echo-server, ports: [{containerPort: 8080}]}]}
`;

const daemonSet = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: echo-1}
spec:
  selector: {matchLabels: {run: echo-1}}
  template:
    metadata: {labels: {run: echo-1}}
    spec: {containers: [{name: echo-1, image: jmalloc/echo-server, ports: [{containerPort: 8080}]}]}
`;

void test('weft operator against etcd: PodCIDRs, deployment scale, daemonset, restart', { timeout: 120_000 }, async () => {
  const etcd = await startTestEtcd();
  const stateDir = mkdtempSync(path.join(tmpdir(), 'weft-operator-test-'));
  const kv = createEtcdKv({ endpoints: [etcd.endpoint] });
  let op: OperatorProc | undefined;
  try {
    await kv.put(
      keys.clusterConfig(CLUSTER),
      JSON.stringify({ id: 7, name: CLUSTER, podCIDRs: ['10.77.0.0/16'], serviceCIDR: '10.7.0.0/16', routingMode: 'native', nodeCidrMaskSize: 24, capabilities: [] }),
    );
    await kv.put(keys.node(CLUSTER, 'n1'), JSON.stringify(node('n1', '172.30.0.11')));
    await kv.put(keys.node(CLUSTER, 'n2'), JSON.stringify(node('n2', '172.30.0.12')));
    op = startOperatorProcess(CLUSTER, etcd.endpoint, stateDir);

    const cidrs = await waitFor('both nodes to get a podCIDR', async () => {
      const ns = await nodes(kv);
      return ns.length === 2 && ns.every((n) => n.podCIDR !== '') ? Object.fromEntries(ns.map((n) => [n.name, n.podCIDR])) : undefined;
    });
    assert.notEqual(cidrs['n1'], cidrs['n2']);
    assert.match(String(cidrs['n1']), /^10\.77\.\d+\.0\/24$/);
    assert.equal((await kv.list(keys.nodeCidrAllocationsPrefix())).entries.length, 2);

    await applyDocuments(kv, parseManifests(deployment(3)));
    const three = await waitFor('3 scheduled pods', async () => {
      const ps = await pods(kv);
      return ps.length === 3 && ps.every((p) => p.spec.nodeName !== undefined) ? ps : undefined;
    });
    assert.deepEqual(new Set(three.map((p) => p.spec.nodeName)), new Set(['n1', 'n2']), 'spread across both nodes');
    for (const p of three) {
      assert.match(p.metadata.name, /^web-[a-z0-9]{5}$/);
      assert.deepEqual(p.metadata.labels, { app: 'web' });
      assert.deepEqual(p.metadata.ownerReferences, [{ kind: 'Deployment', name: 'web' }]);
    }

    await applyDocuments(kv, parseManifests(deployment(1)));
    const one = await waitFor('scale down to 1', async () => {
      const ps = await pods(kv);
      return ps.length === 1 ? ps : undefined;
    });
    assert.ok(three.some((p) => p.metadata.name === one[0]?.metadata.name), 'the remaining pod is one of the three');

    await applyDocuments(kv, parseManifests(daemonSet));
    const ds = await waitFor('one daemonset pod per node', async () => {
      const ps = (await pods(kv)).filter((p) => p.metadata.ownerReferences?.[0]?.kind === 'DaemonSet');
      return ps.length === 2 ? ps : undefined;
    });
    assert.deepEqual(ds.map((p) => p.spec.nodeName).sort(), ['n1', 'n2']);
    assert.ok(ds.every((p) => /^echo-1-[a-z0-9]{5}$/.test(p.metadata.name)));

    const before = (await pods(kv)).map((p) => `${p.metadata.name}@${p.spec.nodeName}`).sort();
    assert.ok(op.lines().some((l) => l['msg'] === 'podCIDR assigned' && l['component'] === 'operator'), 'JSON log lines');
    assert.equal(await stopProcess(op.rec, 5000), true);
    assert.equal(await op.exited, 0, 'exits cleanly on SIGTERM');

    op = startOperatorProcess(CLUSTER, etcd.endpoint, stateDir);
    const current = op;
    await waitFor('the restarted operator to sync', () => Promise.resolve(current.lines().some((l) => l['msg'] === 'operator synced') ? true : undefined));
    await sleep(1000);
    const after = await nodes(kv);
    assert.deepEqual(Object.fromEntries(after.map((n) => [n.name, n.podCIDR])), cidrs, 'podCIDRs unchanged');
    assert.deepEqual((await pods(kv)).map((p) => `${p.metadata.name}@${p.spec.nodeName}`).sort(), before, 'pods unchanged');
    assert.equal(current.lines().filter((l) => typeof l['msg'] === 'string' && /^pod (created|deleted)|^podCIDR assigned/.test(l['msg'])).length, 0);
  } finally {
    if (op !== undefined && isAlive(op.rec)) await stopProcess(op.rec, 5000);
    await kv.close();
    await etcd.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
});
