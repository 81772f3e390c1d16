import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isWeftError } from '../errors.ts';
import { checkClusterIp, clusterIpProblem, clusterIpRange, dynamicOrder } from './clusterIpRange.ts';
import { formatIp } from '../util/cidr.ts';

void test('usable addresses exclude network and broadcast; the lower band is left to requested IPs', () => {
  const r = clusterIpRange('10.101.0.0/16');
  assert.equal(formatIp(r.first), '10.101.0.1');
  assert.equal(formatIp(r.last), '10.101.255.254');
  assert.equal(formatIp(r.dynamicStart), '10.101.1.1', 'a /16 keeps 256 addresses for static requests');
  const small = clusterIpRange('10.9.0.0/28');
  assert.equal(small.dynamicStart, small.first, 'a tiny range has no lower band');
  assert.deepEqual([...dynamicOrder(clusterIpRange('10.9.0.0/30'))], ['10.9.0.1', '10.9.0.2']);
  const order = [...dynamicOrder(clusterIpRange('10.9.0.0/24'))];
  assert.equal(order[0], '10.9.0.17');
  assert.equal(order.at(-1), '10.9.0.16');
  assert.equal(order.length, 254);
});

void test('problems name the IP and the CIDR', () => {
  const r = clusterIpRange('10.101.0.0/16');
  assert.equal(clusterIpProblem(r, '10.101.3.4'), undefined);
  assert.equal(clusterIpProblem(r, '10.102.0.1'), 'clusterIP 10.102.0.1 is outside the service CIDR 10.101.0.0/16');
  assert.equal(clusterIpProblem(r, '10.101.0.0'), 'clusterIP 10.101.0.0 is the network address of the service CIDR 10.101.0.0/16');
  assert.equal(clusterIpProblem(r, 'x'), 'clusterIP "x" is not an IPv4 address');
  assert.throws(() => checkClusterIp('10.101.0.0/16', '10.1.0.1'), (err) => isWeftError(err, 'InvalidInput') && /10\.1\.0\.1 is outside the service CIDR 10\.101\.0\.0\/16/.test(err.message));
});
