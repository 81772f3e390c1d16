import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addResult, versionResult } from './result.ts';
import { toCniErrorResult, cniError, CniCode } from './codes.ts';
import { WeftError, ErrorCode } from '../errors.ts';

const outcome = { hostVeth: 'wf0123456789a', hostMac: '06:01:02:03:04:05', ifName: 'eth0', podMac: '0a:01:02:03:04:05', netns: '/var/run/netns/p', ip: '10.1.0.5' };

test('ADD result for 1.0.0: host veth without sandbox, eth0 with sandbox, ip/32 via the link-local gateway', () => {
  assert.deepEqual(addResult({ ...outcome, cniVersion: '1.0.0' }), {
    cniVersion: '1.0.0',
    interfaces: [
      { name: 'wf0123456789a', mac: '06:01:02:03:04:05' },
      { name: 'eth0', mac: '0a:01:02:03:04:05', sandbox: '/var/run/netns/p' },
    ],
    ips: [{ address: '10.1.0.5/32', gateway: '169.254.1.1', interface: 1 }],
    routes: [{ dst: '0.0.0.0/0' }],
    dns: {},
  });
});

test('older versions carry ips[].version; mtu only from 1.1.0', () => {
  assert.equal(addResult({ ...outcome, cniVersion: '0.4.0' }).ips?.[0]?.version, '4');
  assert.equal(addResult({ ...outcome, cniVersion: '1.0.0', mtu: 1400 }).interfaces?.[0]?.mtu, undefined);
  assert.equal(addResult({ ...outcome, cniVersion: '1.1.0', mtu: 1400 }).interfaces?.[1]?.mtu, 1400);
});

test('VERSION answers the supported versions', () => {
  assert.deepEqual(versionResult('0.4.0').cniVersion, '0.4.0');
  assert.ok(versionResult(undefined).supportedVersions.includes('1.0.0'));
});

test('errors map to spec error objects', () => {
  assert.deepEqual(toCniErrorResult(cniError(CniCode.InvalidEnv, 'CNI_IFNAME x', 'more'), '1.0.0'), { cniVersion: '1.0.0', code: 4, msg: 'CNI_IFNAME x', details: 'more' });
  assert.equal(toCniErrorResult(new WeftError(ErrorCode.PoolExhausted, 'full'), '1.0.0').code, CniCode.PoolExhausted);
  assert.equal(toCniErrorResult(new WeftError(ErrorCode.Conflict, 'no'), '1.0.0').code, CniCode.AgentRejected);
  assert.equal(toCniErrorResult(new Error('boom'), '1.0.0').code, CniCode.Internal);
});
