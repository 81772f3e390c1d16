import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryKv } from '../kvstore/memory.ts';
import { keys } from '../kvstore/keys.ts';
import { parseManifests } from '../model/manifest.ts';
import { applyDocuments } from '../model/resourceStore.ts';
import { deleteResources } from '../model/resourceDelete.ts';
import type { EndpointState, ServiceState } from '../model/state.ts';
import { createLogger, silentLogger } from '../util/log.ts';
import { startServicesController } from './servicesController.ts';

const CLUSTER = 'c1';
const CONFIG = { id: 1, name: CLUSTER, podCIDRs: ['10.1.0.0/16'], serviceCIDR: '10.101.0.0/16', routingMode: 'native', nodeCidrMaskSize: 24, capabilities: [] };
const WEB = `apiVersion: v1
kind: Service
metadata: {name: web, annotations: {service.cilium.io/global: "true"}}
spec:
  ports: [{name: http, port: 80, targetPort: http}]
  selector: {app: web}
`;
const STATIC = `apiVersion: v1
kind: Service
metadata: {name: fixed}
spec:
  clusterIP: 10.101.0.50
  ports: [{port: 53, protocol: UDP}]
  selector: {app: dns}
`;

function ep(ip: string, labels: Record<string, string>, ready = true): EndpointState {
  return { ip, node: 'n1', hostIP: '172.30.1.11', identity: 0, labels, namedPorts: [{ name: 'http', port: 8080, protocol: 'TCP' }], ready };
}

async function exported(kv: MemoryKv): Promise<Record<string, ServiceState>> {
  const { entries } = await kv.list(keys.servicesPrefix(CLUSTER));
  return Object.fromEntries(entries.map((e) => [e.key.slice(keys.servicesPrefix(CLUSTER).length), JSON.parse(e.value) as ServiceState]));
}

async function allocations(kv: MemoryKv): Promise<Record<string, string>> {
  const { entries } = await kv.list(keys.clusterIpAllocationsPrefix());
  return Object.fromEntries(entries.map((e) => {
    const a = JSON.parse(e.value) as { ip: string; namespace: string; name: string };
    return [a.ip, `${a.namespace}/${a.name}`];
  }));
}

void test('services controller on MemoryKv: allocate, export, follow endpoints, restart, delete', async () => {
  const kv = new MemoryKv();
  await kv.put(keys.clusterConfig(CLUSTER), JSON.stringify(CONFIG));
  await kv.put(keys.endpoint(CLUSTER, 'default', 'web-1'), JSON.stringify(ep('10.1.0.4', { app: 'web' })));
  await kv.put(keys.endpoint(CLUSTER, 'other', 'web-x'), JSON.stringify(ep('10.1.0.9', { app: 'web' })));
  await applyDocuments(kv, parseManifests(`${WEB}---\n${STATIC}`), { cluster: CLUSTER });

  let ctl = startServicesController({ kv, cluster: CLUSTER, logger: silentLogger, debounceMs: 1 });
  await ctl.synced;
  await ctl.idle();
  assert.deepEqual(await allocations(kv), { '10.101.0.50': 'default/fixed', '10.101.1.1': 'default/web' });
  const first = await exported(kv);
  assert.deepEqual(first['default/web'], {
    name: 'web',
    namespace: 'default',
    cluster: CLUSTER,
    clusterIP: '10.101.1.1',
    ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
    backends: [{ ip: '10.1.0.4', node: 'n1', ready: true, ports: { http: 8080 } }],
    global: true,
    shared: true,
    affinity: 'none',
  });
  assert.equal(first['default/fixed']?.clusterIP, '10.101.0.50');
  assert.deepEqual(first['default/fixed']?.backends, []);

  // endpoints come and go, readiness changes
  await kv.put(keys.endpoint(CLUSTER, 'default', 'web-2'), JSON.stringify(ep('10.1.1.4', { app: 'web' }, false)));
  await ctl.idle();
  assert.deepEqual((await exported(kv))['default/web']?.backends.map((b) => `${b.ip}:${b.ready}`), ['10.1.0.4:true', '10.1.1.4:false']);
  await kv.delete(keys.endpoint(CLUSTER, 'default', 'web-1'));
  await ctl.idle();
  assert.deepEqual((await exported(kv))['default/web']?.backends.map((b) => b.ip), ['10.1.1.4']);

  // restart: same IPs, no rewrite
  await ctl.stop();
  const revBefore = (await kv.get(keys.service(CLUSTER, 'default', 'web')))?.modRevision;
  const lines: string[] = [];
  ctl = startServicesController({ kv, cluster: CLUSTER, logger: createLogger({}, (l) => lines.push(l)), debounceMs: 1 });
  await ctl.idle();
  assert.deepEqual(await allocations(kv), { '10.101.0.50': 'default/fixed', '10.101.1.1': 'default/web' });
  assert.equal((await kv.get(keys.service(CLUSTER, 'default', 'web')))?.modRevision, revBefore, 'unchanged state is not rewritten');
  assert.equal(lines.filter((l) => /ClusterIP (allocated|released)|service exported/.test(l)).length, 0);

  // delete: state and allocation gone
  await deleteResources(kv, [{ plural: 'services', namespace: 'default', name: 'web' }]);
  await ctl.idle();
  assert.deepEqual(Object.keys(await exported(kv)), ['default/fixed']);
  assert.deepEqual(await allocations(kv), { '10.101.0.50': 'default/fixed' });
  await ctl.stop();
});

void test('a stored service asking for a taken IP gets none and the problem is logged once', async () => {
  const kv = new MemoryKv();
  await kv.put(keys.clusterConfig(CLUSTER), JSON.stringify(CONFIG));
  await applyDocuments(kv, parseManifests(STATIC), { cluster: CLUSTER, now: () => new Date('2025-01-01T00:00:00Z') });
  // written without the apply check (as a concurrent apply could)
  await applyDocuments(kv, parseManifests(STATIC.replace('name: fixed', 'name: twin')), { now: () => new Date('2025-02-01T00:00:00Z') });
  const lines: string[] = [];
  const ctl = startServicesController({ kv, cluster: CLUSTER, logger: createLogger({}, (l) => lines.push(l)), debounceMs: 1 });
  await ctl.idle();
  await ctl.idle();
  assert.deepEqual(await allocations(kv), { '10.101.0.50': 'default/fixed' });
  assert.deepEqual(Object.keys(await exported(kv)), ['default/fixed']);
  const problems = lines.filter((l) => l.includes('services problem'));
  assert.equal(problems.length, 1);
  assert.match(problems[0] ?? '', /default\/twin: clusterIP 10\.101\.0\.50 is already allocated to service default\/fixed/);
  await ctl.stop();
});
