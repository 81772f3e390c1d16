/**
 * Services against a real etcd and the `weft operator` subprocess: a Service
 * applied with the CLI plus endpoint keys → an exported ServiceState with a
 * ClusterIP and backends; apply-time clusterIP checks; `weft get services`
 * and `weft service list` (with a connected remote's cached service); the
 * allocation kept across an operator restart; delete → key and allocation gone.
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
import { waitFor, weft, weftOk } from '../support/weft.ts';
import { createEtcdKv } from '../../src/kvstore/etcd.ts';
import type { KvBackend } from '../../src/kvstore/backend.ts';
import { keys } from '../../src/kvstore/keys.ts';
import { saveContext } from '../../src/contexts/contexts.ts';
import type { EndpointState, ServiceState } from '../../src/model/state.ts';
import { isAlive, stopProcess } from '../../src/util/proc.ts';

const CLUSTER = 'svc1';

const SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: web
  annotations: {service.cilium.io/global: "true", service.cilium.io/affinity: local}
spec:
  ports:
  - {name: http, port: 80, targetPort: http}
  - {name: metrics, port: 9090, targetPort: 9100}
  selector: {app: web}
`;

const fixed = (ip: string, name = 'fixed'): string => `apiVersion: v1
kind: Service
metadata: {name: ${name}}
spec:
  clusterIP: ${ip}
  ports: [{port: 53, protocol: UDP}]
  selector: {app: dns}
`;


function endpoint(ip: string, port: number, ready = true): EndpointState {
  return { ip, node: 'n1', hostIP: '172.30.9.11', identity: 0, labels: { app: 'web' }, namedPorts: [{ name: 'http', port, protocol: 'TCP' }], ready };
}

async function state(kv: KvBackend, name: string): Promise<ServiceState | undefined> {
  const e = await kv.get(keys.service(CLUSTER, 'default', name));
  return e === undefined ? undefined : (JSON.parse(e.value) as ServiceState);
}

async function allocations(kv: KvBackend): Promise<Record<string, string>> {
  const { entries } = await kv.list(keys.clusterIpAllocationsPrefix());
  return Object.fromEntries(entries.map((e) => {
    const a = JSON.parse(e.value) as { ip: string; namespace: string; name: string };
    return [a.ip, `${a.namespace}/${a.name}`];
  }));
}

void test('services: operator exports ClusterIP + backends, CLI checks and lists, restart keeps, delete cleans', { timeout: 120_000 }, async () => {
  const etcd = await startTestEtcd();
  const home = mkdtempSync(path.join(tmpdir(), 'weft-services-home-'));
  const stateDir = mkdtempSync(path.join(tmpdir(), 'weft-services-op-'));
  const savedHome = process.env['WEFT_HOME'];
  process.env['WEFT_HOME'] = home;
  const env = { ...process.env, WEFT_HOME: home };
  const kv = createEtcdKv({ endpoints: [etcd.endpoint] });
  let op: OperatorProc | undefined;
  try {
    saveContext({ name: CLUSTER, cluster: CLUSTER, endpoints: [etcd.endpoint] }, true);
    await kv.put(
      keys.clusterConfig(CLUSTER),
      JSON.stringify({ id: 9, name: CLUSTER, podCIDRs: ['10.9.0.0/16'], serviceCIDR: '10.109.0.0/16', routingMode: 'native', nodeCidrMaskSize: 24, capabilities: [] }),
    );
    await kv.put(keys.endpoint(CLUSTER, 'default', 'web-a'), JSON.stringify(endpoint('10.9.0.4', 8080)));
    await kv.put(keys.endpoint(CLUSTER, 'default', 'web-b'), JSON.stringify(endpoint('10.9.1.4', 8081, false)));
    op = startOperatorProcess(CLUSTER, etcd.endpoint, stateDir);

    assert.match(await weftOk(['apply', '-f', '-'], env, `${SERVICE}---\n${fixed('10.109.0.53')}`), /service\/web created\nservice\/fixed created/);
    const web = await waitFor('the exported state of web', async () => {
      const s = await state(kv, 'web');
      return s !== undefined && s.backends.length === 2 ? s : undefined;
    }, 20_000);
    assert.match(web.clusterIP, /^10\.109\.\d+\.\d+$/);
    assert.deepEqual(web.ports, [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'metrics', port: 9090, protocol: 'TCP' }]);
    assert.deepEqual(web.backends, [
      { ip: '10.9.0.4', node: 'n1', ready: true, ports: { http: 8080, metrics: 9100 } },
      { ip: '10.9.1.4', node: 'n1', ready: false, ports: { http: 8081, metrics: 9100 } },
    ]);
    assert.deepEqual([web.global, web.shared, web.affinity], [true, true, 'local']);
    await waitFor('fixed to get its requested IP', async () => ((await state(kv, 'fixed'))?.clusterIP === '10.109.0.53' ? true : undefined), 20_000);
    assert.deepEqual(await allocations(kv), { [web.clusterIP]: 'default/web', '10.109.0.53': 'default/fixed' });

    // apply-time checks name the IP
    const outside = await weft(['apply', '-f', '-'], env, fixed('10.5.0.1', 'far'));
    assert.equal(outside.code, 1);
    assert.match(outside.stderr, /service default\/far: spec\.clusterIP: clusterIP 10\.5\.0\.1 is outside the service CIDR 10\.109\.0\.0\/16/);
    const taken = await weft(['apply', '-f', '-'], env, fixed('10.109.0.53', 'twin'));
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /spec\.clusterIP 10\.109\.0\.53 is already allocated to service default\/fixed/);
    const lb = await weft(['apply', '-f', '-'], env, SERVICE.replace('spec:\n', 'spec:\n  type: LoadBalancer\n'));
    assert.equal(lb.code, 1);
    assert.match(lb.stderr, /spec\.type: Weft supports only type ClusterIP.*got "LoadBalancer"/);

    // readiness follows the endpoints
    await kv.put(keys.endpoint(CLUSTER, 'default', 'web-b'), JSON.stringify(endpoint('10.9.1.4', 8081, true)));
    await waitFor('web-b ready', async () => ((await state(kv, 'web'))?.backends.every((b) => b.ready) === true ? true : undefined), 20_000);

    // the CLI: kubectl-like get, cilium-like service list with a connected remote's cached service
    const wide = await weftOk(['get', 'services', '-o', 'wide'], env);
    assert.match(wide, /NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\s+SELECTOR/);
    assert.match(wide, new RegExp(`web\\s+ClusterIP\\s+${web.clusterIP.replaceAll('.', '\\.')}\\s+<none>\\s+80/TCP,9090/TCP\\s+\\S+\\s+app=web`));
    assert.match(await weftOk(['get', 'svc', 'fixed'], env), /fixed\s+ClusterIP\s+10\.109\.0\.53\s+<none>\s+53\/UDP/);
    await kv.put(keys.meshRemote('rc2'), '{}');
    const remote: ServiceState = { ...web, cluster: 'rc2', clusterIP: '10.110.0.9', backends: [{ ip: '10.10.0.7', node: 'n1', ready: true, ports: { http: 80 } }] };
    await kv.put(keys.cacheOf('rc2', keys.service('rc2', 'default', 'web')), JSON.stringify(remote));
    const list = await weftOk(['service', 'list'], env);
    assert.match(list, new RegExp(`${web.clusterIP.replaceAll('.', '\\.')}:80/TCP\\s+ClusterIP\\s+default/web \\(global, affinity local\\)\\s+1 => 10\\.9\\.0\\.4:8080/TCP \\(svc1\\) \\(active\\) \\(preferred\\)`));
    assert.match(list, /3 => 10\.10\.0\.7:80\/TCP \(rc2\) \(active\)\n/);
    assert.doesNotMatch(list, /10\.110\.0\.9/, 'a remote ClusterIP is never a frontend');
    const json = JSON.parse(await weftOk(['service', 'list', '-o', 'json'], env)) as { clusterIP: string; port: number; backends: { ip: string }[] }[];
    const http = json.find((f) => f.clusterIP === web.clusterIP && f.port === 80);
    assert.deepEqual(http?.backends.map((b) => b.ip), ['10.9.0.4', '10.9.1.4'], 'affinity local: only local backends while any is ready');

    // restart: allocations and state unchanged
    const rev = (await kv.get(keys.service(CLUSTER, 'default', 'web')))?.modRevision;
    assert.equal(await stopProcess(op.rec, 5000), true);
    assert.equal(await op.exited, 0);
    op = startOperatorProcess(CLUSTER, etcd.endpoint, stateDir);
    const current = op;
    await waitFor('the restarted operator to sync', () => Promise.resolve(current.log().includes('"operator synced"') ? true : undefined), 20_000);
    await sleep(1000);
    assert.deepEqual(await allocations(kv), { [web.clusterIP]: 'default/web', '10.109.0.53': 'default/fixed' });
    assert.equal((await kv.get(keys.service(CLUSTER, 'default', 'web')))?.modRevision, rev, 'not rewritten');
    assert.doesNotMatch(current.log(), /ClusterIP (allocated|released)/);

    // delete → key and allocation gone
    assert.match(await weftOk(['delete', 'service', 'web'], env), /service\/web deleted/);
    await waitFor('web state and allocation gone', async () => ((await state(kv, 'web')) === undefined && !(web.clusterIP in (await allocations(kv))) ? true : undefined), 20_000);
    assert.deepEqual(await allocations(kv), { '10.109.0.53': 'default/fixed' });
    assert.ok((await state(kv, 'fixed')) !== undefined);
  } finally {
    if (op !== undefined && isAlive(op.rec)) await stopProcess(op.rec, 5000);
    await kv.close();
    await etcd.stop();
    if (savedHome === undefined) delete process.env['WEFT_HOME'];
    else process.env['WEFT_HOME'] = savedHome;
    rmSync(home, { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
  }
});
