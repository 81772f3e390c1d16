import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAgainstLab, checkUnderlayAgainstRoot, parseClusterSpec, validateClusterName } from './validate.ts';
import type { LabUpFlags } from './validate.ts';
import { isWeftError } from '../errors.ts';
import type { ErrorCode } from '../errors.ts';

const good: LabUpFlags = { name: 'c1', id: '1', nodes: '2', podCidr: '10.1.0.0/16', serviceCidr: '10.101.0.0/16' };

function fails(fn: () => unknown, code: ErrorCode, ...parts: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isWeftError(e, code), `expected ${code}, got ${String(e)}`);
    for (const p of parts) assert.ok(e.message.includes(p), `"${e.message}" should mention "${p}"`);
    return true;
  });
}

void test('parses a good spec with defaults', () => {
  assert.deepEqual(parseClusterSpec(good), {
    name: 'c1',
    id: 1,
    nodes: 2,
    podCIDRs: ['10.1.0.0/16'],
    serviceCIDR: '10.101.0.0/16',
    routing: 'tunnel',
    nodeCidrMaskSize: 24,
  });
  assert.deepEqual(parseClusterSpec({ ...good, podCidr: '10.1.0.0/16,10.2.0.0/16', routing: 'native', nodeCidrMask: '26' }).podCIDRs, [
    '10.1.0.0/16',
    '10.2.0.0/16',
  ]);
});

void test('cluster names: 1-32 of [a-z0-9-], not starting with -', () => {
  assert.equal(validateClusterName('a'.repeat(32)), 'a'.repeat(32));
  assert.equal(validateClusterName('cluster-1'), 'cluster-1');
  for (const bad of ['', 'a'.repeat(33), '-c1', 'C1', 'c_1', 'c.1', 'c 1']) {
    fails(() => validateClusterName(bad), 'InvalidClusterName', `"${bad}"`);
  }
});

void test('ids, counts, CIDRs and masks are checked with the value in the message', () => {
  fails(() => parseClusterSpec({ ...good, id: '300' }), 'InvalidClusterId', 'cluster id 300 is out of range 1-255');
  fails(() => parseClusterSpec({ ...good, id: '0' }), 'InvalidClusterId', '0');
  fails(() => parseClusterSpec({ ...good, id: 'x' }), 'InvalidClusterId', '"x"');
  fails(() => parseClusterSpec({ ...good, nodes: '0' }), 'InvalidInput', 'node count 0');
  fails(() => parseClusterSpec({ ...good, podCidr: '10.1.0.0/33' }), 'InvalidCidr', '10.1.0.0/33');
  fails(() => parseClusterSpec({ ...good, serviceCidr: 'nope' }), 'InvalidCidr', 'nope');
  fails(() => parseClusterSpec({ ...good, serviceCidr: '10.1.128.0/20' }), 'CidrOverlap', '10.1.0.0/16', '10.1.128.0/20');
  fails(() => parseClusterSpec({ ...good, podCidr: '10.1.0.0/16,10.1.2.0/24' }), 'CidrOverlap', '10.1.2.0/24');
  fails(() => parseClusterSpec({ ...good, routing: 'bgp' }), 'InvalidInput', '"bgp"');
  fails(() => parseClusterSpec({ ...good, nodeCidrMask: '8' }), 'InvalidInput', 'node CIDR mask size 8 is out of range 16-30');
  fails(() => parseClusterSpec({ ...good, podCidr: '10.1.0.0/24', nodes: '2', nodeCidrMask: '24' }), 'InvalidInput', 'only 1 /24');
  fails(() => parseClusterSpec({ ...good, name: undefined }), 'InvalidInput', '--name');
});

void test('conflicts with other lab clusters and the underlay', () => {
  const spec = parseClusterSpec(good);
  const c2 = { name: 'c2', id: 2, podCIDRs: ['10.2.0.0/16'], serviceCIDR: '10.102.0.0/16' };
  checkAgainstLab(spec, [c2], '172.30.0.0/16');
  fails(() => checkAgainstLab(spec, [{ ...c2, name: 'c1' }], '172.30.0.0/16'), 'DuplicateCluster', '"c1" already exists');
  fails(() => checkAgainstLab(spec, [{ ...c2, id: 1 }], '172.30.0.0/16'), 'DuplicateCluster', 'cluster id 1', '"c1"', '"c2"');
  fails(() => checkAgainstLab(spec, [{ ...c2, serviceCIDR: '10.1.0.0/24' }], '172.30.0.0/16'), 'CidrOverlap', '10.1.0.0/16', '10.1.0.0/24', '"c2"');
  fails(() => checkAgainstLab(spec, [{ ...c2, podCIDRs: ['10.101.5.0/24'] }], '172.30.0.0/16'), 'CidrOverlap', 'service CIDR 10.101.0.0/16');
  fails(() => checkAgainstLab(spec, [], '10.0.0.0/8'), 'CidrOverlap', 'underlay 10.0.0.0/8');
});

void test('underlay against the root netns: default routes ignored, overlaps refused', () => {
  checkUnderlayAgainstRoot('172.30.0.0/16', [
    { cidr: '0.0.0.0/0', source: 'default' },
    { cidr: '192.0.2.0/24', source: 'route dev eth0' },
  ]);
  fails(
    () => checkUnderlayAgainstRoot('172.30.0.0/16', [{ cidr: '172.30.5.0/24', source: 'route to 172.30.5.0/24 dev eth1' }]),
    'CidrOverlap',
    '172.30.5.0/24',
    'dev eth1',
    'WEFT_LAB_UNDERLAY',
  );
});

void test('--policy-default-local-cluster: true / false / absent', () => {
  assert.equal(parseClusterSpec({ ...good, policyDefaultLocalCluster: 'false' }).policyDefaultLocalCluster, false);
  assert.equal(parseClusterSpec({ ...good, policyDefaultLocalCluster: 'true' }).policyDefaultLocalCluster, true);
  assert.equal('policyDefaultLocalCluster' in parseClusterSpec(good), false);
  fails(() => parseClusterSpec({ ...good, policyDefaultLocalCluster: 'yes' }), 'InvalidInput', '--policy-default-local-cluster "yes"');
});
