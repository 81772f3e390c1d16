import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNetConf } from './netconf.ts';
import { CniCode, toCniErrorResult } from './codes.ts';

const good = { cniVersion: '1.0.0', name: 'weft', type: 'weft', socket: '/run/weft/cni.sock' };

function errOf(text: string): { code: number; msg: string } {
  try {
    parseNetConf(text);
  } catch (err) {
    return toCniErrorResult(err, '1.0.0');
  }
  assert.fail('expected an error');
}

test('parses a weft netconf with mtu, prevResult and GC attachments', () => {
  const conf = parseNetConf(
    JSON.stringify({ ...good, mtu: 1450, prevResult: { ips: [] }, 'cni.dev/valid-attachments': [{ containerID: 'c1', ifname: 'eth0' }], extra: 1 }),
  );
  assert.equal(conf.socket, '/run/weft/cni.sock');
  assert.equal(conf.mtu, 1450);
  assert.deepEqual(conf.prevResult, { ips: [] });
  assert.deepEqual(conf.validAttachments, [{ containerId: 'c1', ifName: 'eth0' }]);
});

test('malformed JSON is code 6', () => {
  assert.equal(errOf('{"cniVersion": ').code, CniCode.DecodeFailure);
  assert.equal(errOf('[1]').code, CniCode.DecodeFailure);
});

test('bad fields are code 7 naming field and value; unknown version is code 1; ipam is code 2', () => {
  const e1 = errOf(JSON.stringify({ ...good, socket: 'relative.sock' }));
  assert.equal(e1.code, CniCode.InvalidConfig);
  assert.match(e1.msg, /socket.*relative\.sock/);
  const e2 = errOf(JSON.stringify({ ...good, mtu: 10 }));
  assert.equal(e2.code, CniCode.InvalidConfig);
  assert.match(e2.msg, /mtu.*10/);
  const e3 = errOf(JSON.stringify({ ...good, name: undefined }));
  assert.match(e3.msg, /"name"/);
  const e4 = errOf(JSON.stringify({ ...good, cniVersion: '9.9.9' }));
  assert.equal(e4.code, CniCode.IncompatibleVersion);
  assert.match(e4.msg, /9\.9\.9/);
  const e5 = errOf(JSON.stringify({ ...good, ipam: { type: 'host-local' } }));
  assert.equal(e5.code, CniCode.UnsupportedField);
  const e6 = errOf(JSON.stringify({ ...good, 'cni.dev/valid-attachments': [{ containerID: 1 }] }));
  assert.equal(e6.code, CniCode.InvalidConfig);
});
