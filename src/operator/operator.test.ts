import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryKv } from '../kvstore/memory.ts';
import { keys } from '../kvstore/keys.ts';
import { parseManifests } from '../model/manifest.ts';
import { applyDocuments, listResources } from '../model/resourceStore.ts';
import { deleteResources } from '../model/resourceDelete.ts';
import type { Pod } from '../model/resources.ts';
import { silentLogger } from '../util/log.ts';
import { startOperator } from './operator.ts';
import { node } from './testFixtures.ts';

const config = { id: 1, name: 'c1', podCIDRs: ['10.1.0.0/16'], serviceCIDR: '10.11.0.0/16', routingMode: 'native', nodeCidrMaskSize: 24, capabilities: [] };

function deploymentYaml(replicas: number): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: echo}]}
`;
}

async function podCidrs(kv: MemoryKv): Promise<Record<string, string>> {
  const { entries } = await kv.list(keys.nodesPrefix('c1'));
  return Object.fromEntries(entries.map((e) => {
    const n = JSON.parse(e.value) as { name: string; podCIDR: string };
    return [n.name, n.podCIDR];
  }));
}

async function pods(kv: MemoryKv): Promise<Pod[]> {
  return (await listResources(kv, 'pods')).filter((p): p is Pod => p.kind === 'Pod');
}

void test('operator on MemoryKv: IPAM, deployment scale, daemonset, owner deletion, restart', async () => {
  const kv = new MemoryKv();
  await kv.put(keys.clusterConfig('c1'), JSON.stringify(config));
  await kv.put(keys.node('c1', 'n1'), JSON.stringify(node('n1')));
  await kv.put(keys.node('c1', 'n2'), JSON.stringify({ ...node('n2'), extra: 'kept' }));
  let op = startOperator({ kv, cluster: 'c1', logger: silentLogger, debounceMs: 1 });
  try {
    await op.synced;
    await op.idle();
    const cidrs = await podCidrs(kv);
    assert.deepEqual(cidrs, { n1: '10.1.0.0/24', n2: '10.1.1.0/24' });
    assert.equal((JSON.parse((await kv.get(keys.node('c1', 'n2')))?.value ?? '{}') as { extra?: string }).extra, 'kept');
    assert.equal((await kv.list(keys.nodeCidrAllocationsPrefix())).entries.length, 2);

    await applyDocuments(kv, parseManifests(deploymentYaml(3)));
    await op.idle();
    let all = await pods(kv);
    assert.equal(all.length, 3);
    assert.deepEqual(new Set(all.map((p) => p.spec.nodeName)), new Set(['n1', 'n2']));

    await applyDocuments(kv, parseManifests(deploymentYaml(1)));
    await op.idle();
    assert.equal((await pods(kv)).length, 1);

    await applyDocuments(kv, parseManifests(`apiVersion: apps/v1
kind: DaemonSet
metadata: {name: echo}
spec:
  selector: {matchLabels: {app: echo}}
  template:
    metadata: {labels: {app: echo}}
    spec: {containers: [{name: c, image: echo, ports: [{containerPort: 8080}]}]}
`));
    await op.idle();
    all = await pods(kv);
    const ds = all.filter((p) => p.metadata.ownerReferences?.[0]?.kind === 'DaemonSet');
    assert.deepEqual(ds.map((p) => p.spec.nodeName).sort(), ['n1', 'n2']);

    await op.stop();
    op = startOperator({ kv, cluster: 'c1', logger: silentLogger, debounceMs: 1 });
    await op.synced;
    await op.idle();
    assert.deepEqual(await podCidrs(kv), cidrs, 'assignments survive a restart');
    assert.deepEqual((await pods(kv)).map((p) => p.metadata.name).sort(), all.map((p) => p.metadata.name).sort(), 'no pod churn on restart');

    // a node leaves: its block is released and the daemonset pod on it goes
    await kv.delete(keys.node('c1', 'n2'));
    await op.idle();
    assert.equal((await kv.list(keys.nodeCidrAllocationsPrefix())).entries.length, 1);
    assert.deepEqual((await pods(kv)).filter((p) => p.spec.nodeName === 'n2'), []);

    await deleteResources(kv, [{ plural: 'deployments', name: 'web' }, { plural: 'daemonsets', name: 'echo' }]);
    await op.idle();
    assert.deepEqual(await pods(kv), []);
  } finally {
    await op.stop();
  }
});
