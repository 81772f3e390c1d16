import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCidr, formatCidr, cidrsOverlap, subnetAt, hostAt, formatIp, parseIp, cidrContainsIp } from './cidr.ts';
import { isWeftError } from '../errors.ts';

test('parses and formats CIDRs', () => {
  assert.equal(formatCidr(parseCidr('10.1.0.0/16')), '10.1.0.0/16');
  assert.equal(formatIp(parseIp('255.255.255.255')), '255.255.255.255');
});

test('rejects bad CIDRs naming the value', () => {
  for (const bad of ['10.1.0.0', '10.1.0.0/33', '10.1.0.1/16', '300.1.0.0/16', 'x/8']) {
    assert.throws(() => parseCidr(bad), (e: unknown) => isWeftError(e, 'InvalidCidr') && e.message.includes(bad));
  }
});

test('overlap, containment, subnets and hosts', () => {
  assert.ok(cidrsOverlap(parseCidr('10.0.0.0/8'), parseCidr('10.1.0.0/16')));
  assert.ok(!cidrsOverlap(parseCidr('10.1.0.0/16'), parseCidr('10.2.0.0/16')));
  assert.equal(formatCidr(subnetAt(parseCidr('10.1.0.0/16'), 24, 3)), '10.1.3.0/24');
  assert.equal(formatIp(hostAt(parseCidr('10.1.3.0/24'), 1)), '10.1.3.1');
  assert.ok(cidrContainsIp(parseCidr('10.1.3.0/24'), parseIp('10.1.3.200')));
  assert.throws(() => subnetAt(parseCidr('10.1.0.0/16'), 24, 256), (e: unknown) => isWeftError(e, 'PoolExhausted'));
});
