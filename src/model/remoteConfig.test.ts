import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isWeftError } from '../errors.ts';
import { keys } from '../kvstore/keys.ts';
import { parseRemoteConfig, sameRemoteConfig, usesTls, type RemoteConfig } from './remoteConfig.ts';

const PEM = '-----BEGIN X-----\nAA\n-----END X-----\n';
const cfg: RemoteConfig = { name: 'c2', clusterId: 2, endpoints: ['https://172.30.2.10:2379'], caPem: PEM };

test('a valid record parses; its name must match the key', () => {
  assert.deepEqual(parseRemoteConfig(keys.meshRemote('c2'), JSON.stringify(cfg)), cfg);
  assert.equal(usesTls(cfg), true);
  assert.throws(() => parseRemoteConfig(keys.meshRemote('c3'), JSON.stringify(cfg)), /name "c2" differs from the key's remote "c3"/);
  assert.throws(() => parseRemoteConfig('weft/mesh/remotes/c2/x', JSON.stringify(cfg)), (e: unknown) => isWeftError(e, 'KvInvalidValue') && /key weft\/mesh\/remotes\/c2\/x is not a remote cluster record/.test(e.message));
});

test('invalid records are refused with the key and the reason', () => {
  const bad = (v: unknown, re: RegExp): void =>
    assert.throws(() => parseRemoteConfig(keys.meshRemote('c2'), JSON.stringify(v)), (e: unknown) => isWeftError(e, 'KvInvalidValue') && re.test(e.message) && e.message.includes('weft/mesh/remotes/c2'));
  bad({ ...cfg, clusterId: 300 }, /clusterId/);
  bad({ ...cfg, endpoints: [] }, /endpoints/);
  bad({ ...cfg, endpoints: ['ftp://x'] }, /endpoint must be/);
  bad({ ...cfg, endpoints: ['https://a:1', 'http://b:1'] }, /mix http and https/);
  bad({ ...cfg, caPem: '' }, /caPem holds no PEM data/);
  bad({ ...cfg, name: 'C2' }, /name/);
  assert.doesNotThrow(() => parseRemoteConfig(keys.meshRemote('c2'), JSON.stringify({ ...cfg, endpoints: ['http://127.0.0.1:2379'], caPem: '' })));
});

test('sameRemoteConfig compares everything that changes how the remote is reached', () => {
  assert.equal(sameRemoteConfig(cfg, { ...cfg }), true);
  assert.equal(sameRemoteConfig(cfg, { ...cfg, endpoints: ['https://172.30.2.10:2380'] }), false);
  assert.equal(sameRemoteConfig(cfg, { ...cfg, caPem: `${PEM}\n` }), false);
});

test('a record carries no private key: key material in a record is not read', () => {
  const parsed = parseRemoteConfig(keys.meshRemote('c2'), JSON.stringify({ ...cfg, certPem: PEM, keyPem: PEM }));
  assert.deepEqual(Object.keys(parsed).sort(), ['caPem', 'clusterId', 'endpoints', 'name']);
});
