import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConnect } from './validateConnect.ts';
import type { ConnectCheckInput, MeshMember } from './validateConnect.ts';

const c1: MeshMember = { name: 'c1', id: 1, podCIDRs: ['10.1.0.0/16'], serviceCIDR: '10.101.0.0/16', routingMode: 'native' };
const c2: MeshMember = { name: 'c2', id: 2, podCIDRs: ['10.2.0.0/16'], serviceCIDR: '10.102.0.0/16', routingMode: 'native' };
const base: ConnectCheckInput = { source: c1, destination: c2, alreadyConnected: [], sourceCaFingerprint: 'aa', destinationCaFingerprint: 'aa', allowMismatchingCa: false };
const rules = (i: ConnectCheckInput): string[] => validateConnect(i).map((v) => v.rule);

test('two distinct clusters with one CA pass', () => {
  assert.deepEqual(validateConnect(base), []);
});

test('duplicate ids, names and overlapping CIDRs are named with their values', () => {
  const v = validateConnect({ ...base, destination: { ...c2, id: 1, podCIDRs: ['10.1.128.0/17'] } });
  assert.deepEqual(v.map((x) => x.rule).sort(), ['cidr-overlap', 'distinct-ids']);
  assert.match(v.find((x) => x.rule === 'distinct-ids')?.message ?? '', /c1 and c2 both have cluster id 1/);
  assert.match(v.find((x) => x.rule === 'cidr-overlap')?.message ?? '', /pod CIDR 10\.1\.0\.0\/16 of c1 overlaps pod CIDR 10\.1\.128\.0\/17 of c2/);
  assert.deepEqual(rules({ ...base, destination: { ...c2, name: 'c1' } }), ['distinct-names']);
});

test('a conflict with a cluster already in the mesh is caught', () => {
  const c3: MeshMember = { name: 'c3', id: 2, podCIDRs: ['10.3.0.0/16'], serviceCIDR: '10.2.0.0/16', routingMode: 'native' };
  assert.deepEqual(rules({ ...base, alreadyConnected: [c3] }).sort(), ['cidr-overlap', 'distinct-ids']);
});

test('id range, name rules, routing mode and CA', () => {
  assert.deepEqual(rules({ ...base, destination: { ...c2, id: 300 } }), ['cluster-id-range']);
  assert.deepEqual(rules({ ...base, destination: { ...c2, name: 'x'.repeat(33) } }), ['cluster-name-length']);
  assert.deepEqual(rules({ ...base, destination: { ...c2, name: 'C_2' } }), ['cluster-name-charset']);
  assert.deepEqual(rules({ ...base, destination: { ...c2, routingMode: 'tunnel' } }), ['routing-mode']);
  assert.deepEqual(rules({ ...base, destinationCaFingerprint: 'bb' }), ['same-ca']);
  assert.deepEqual(rules({ ...base, destinationCaFingerprint: 'bb', allowMismatchingCa: true }), []);
});
