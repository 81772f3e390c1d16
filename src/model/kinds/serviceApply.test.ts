/** Apply-time checks of a Service's requested clusterIP (KindDef.checkApply through applyDocuments). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isWeftError } from '../../errors.ts';
import type { KvBackend, KvCompare, KvOp } from '../../kvstore/backend.ts';
import { keys } from '../../kvstore/keys.ts';
import { MemoryKv } from '../../kvstore/memory.ts';
import { parseManifests } from '../manifest.ts';
import { applyDocuments } from '../resourceStore.ts';

const CLUSTER = 'c1';
const CONFIG = { id: 1, name: CLUSTER, podCIDRs: ['10.1.0.0/16'], serviceCIDR: '10.101.0.0/16', routingMode: 'native', nodeCidrMaskSize: 24, capabilities: [] };

const svc = (name: string, ip?: string): string => `apiVersion: v1
kind: Service
metadata: {name: ${name}}
spec:
${ip === undefined ? '' : `  clusterIP: ${ip}\n`}  ports: [{port: 80}]
  selector: {app: ${name}}
`;

async function clusterKv(): Promise<MemoryKv> {
  const kv = new MemoryKv();
  await kv.put(keys.clusterConfig(CLUSTER), JSON.stringify(CONFIG));
  return kv;
}

async function services(kv: KvBackend): Promise<string[]> {
  return (await kv.list(keys.resourcesPrefix('services'))).entries.map((e) => e.key);
}

void test('a requested clusterIP inside the service CIDR and free is accepted', async () => {
  const kv = await clusterKv();
  const [r] = await applyDocuments(kv, parseManifests(svc('web', '10.101.0.20')), { cluster: CLUSTER });
  assert.equal(r?.action, 'created');
});

void test('a requested clusterIP outside the service CIDR is rejected naming the IP and the CIDR; nothing is written', async () => {
  const kv = await clusterKv();
  const docs = parseManifests(`${svc('ok')}---\n${svc('web', '10.200.0.5')}`);
  await assert.rejects(applyDocuments(kv, docs, { cluster: CLUSTER }), (err) => {
    assert.ok(isWeftError(err, 'InvalidInput'));
    assert.match(err.message, /service default\/web: spec\.clusterIP: clusterIP 10\.200\.0\.5 is outside the service CIDR 10\.101\.0\.0\/16/);
    return true;
  });
  await assert.rejects(applyDocuments(kv, parseManifests(svc('web', '10.101.255.255')), { cluster: CLUSTER }), /10\.101\.255\.255 is the broadcast address/);
  assert.deepEqual(await services(kv), []);
});

void test('a clusterIP allocated to another service is rejected naming the IP and its holder', async () => {
  const kv = await clusterKv();
  await kv.put(keys.clusterIpAllocation('10.101.0.20'), JSON.stringify({ ip: '10.101.0.20', namespace: 'default', name: 'other' }));
  await assert.rejects(applyDocuments(kv, parseManifests(svc('web', '10.101.0.20')), { cluster: CLUSTER }), (err) => {
    assert.ok(isWeftError(err, 'AlreadyExists'));
    assert.match(err.message, /spec\.clusterIP 10\.101\.0\.20 is already allocated to service default\/other/);
    return true;
  });
  // its own allocation is fine (re-apply with a change)
  await kv.put(keys.clusterIpAllocation('10.101.0.21'), JSON.stringify({ ip: '10.101.0.21', namespace: 'default', name: 'web' }));
  const [r] = await applyDocuments(kv, parseManifests(svc('web', '10.101.0.21')), { cluster: CLUSTER });
  assert.equal(r?.action, 'created');
});

void test('two services of one apply asking for the same clusterIP are rejected', async () => {
  const kv = await clusterKv();
  await assert.rejects(
    applyDocuments(kv, parseManifests(`${svc('a', '10.101.0.9')}---\n${svc('b', '10.101.0.9')}`), { cluster: CLUSTER }),
    /service default\/a: spec\.clusterIP 10\.101\.0\.9 is also requested by service default\/b in the same apply/,
  );
  assert.deepEqual(await services(kv), []);
});

void test('without a known cluster (or config) only the allocation records are checked', async () => {
  const kv = new MemoryKv();
  const [r] = await applyDocuments(kv, parseManifests(svc('web', '10.200.0.5')));
  assert.equal(r?.action, 'created');
});

void test('an unchanged re-apply is not checked again', async () => {
  const kv = await clusterKv();
  await applyDocuments(kv, parseManifests(svc('web', '10.101.0.20')), { cluster: CLUSTER });
  await kv.put(keys.clusterConfig(CLUSTER), JSON.stringify({ ...CONFIG, serviceCIDR: '10.102.0.0/16' }));
  const [r] = await applyDocuments(kv, parseManifests(svc('web', '10.101.0.20')), { cluster: CLUSTER });
  assert.equal(r?.action, 'unchanged');
});

/** A kv whose first txn is preceded by another writer taking the IP. */
class RacingKv extends MemoryKv {
  raced = false;
  override async txn(compares: readonly KvCompare[], ops: readonly KvOp[]): Promise<boolean> {
    if (!this.raced) {
      this.raced = true;
      await this.put(keys.clusterIpAllocation('10.101.0.20'), JSON.stringify({ ip: '10.101.0.20', namespace: 'default', name: 'racer' }));
    }
    return super.txn(compares, ops);
  }
}

void test('the keys the check read guard the write: a concurrent allocation makes the retry fail', async () => {
  const kv = new RacingKv();
  await kv.put(keys.clusterConfig(CLUSTER), JSON.stringify(CONFIG));
  await assert.rejects(applyDocuments(kv, parseManifests(svc('web', '10.101.0.20')), { cluster: CLUSTER }), /already allocated to service default\/racer/);
  assert.deepEqual(await services(kv), []);
});
