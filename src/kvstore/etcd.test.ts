import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { etcdClientOptions } from './etcd.ts';
import { toKvEvent } from './etcdWatch.ts';
import { isWeftError, ErrorCode } from '../errors.ts';

void describe('etcdClientOptions', () => {
  void it('accepts http and https endpoints', () => {
    assert.deepEqual(etcdClientOptions({ endpoints: ['http://127.0.0.1:2379', 'http://10.0.0.1:2379'] }).hosts, ['http://127.0.0.1:2379', 'http://10.0.0.1:2379']);
  });

  void it('rejects empty, malformed and TLS-on-http endpoints naming the value', () => {
    const bad = (f: () => unknown, re: RegExp): void => assert.throws(f, (e) => isWeftError(e, ErrorCode.InvalidInput) && re.test(e.message));
    bad(() => etcdClientOptions({ endpoints: [] }), /no etcd endpoint/);
    bad(() => etcdClientOptions({ endpoints: ['127.0.0.1:2379'] }), /"127\.0\.0\.1:2379"/);
    bad(() => etcdClientOptions({ endpoints: ['http://h:1/path'] }), /h:1\/path/);
    bad(() => etcdClientOptions({ endpoints: ['http://h:1'], tls: { caFile: 'a', certFile: 'b', keyFile: 'c' } }), /http:\/\/h:1 is plain http/);
    bad(() => etcdClientOptions({ endpoints: ['https://h:1'], tls: { caFile: '/no/ca', certFile: 'b', keyFile: 'c' } }), /\/no\/ca/);
  });

  void it('loads TLS files and applies the server-name override', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'weft-etcd-opts-'));
    try {
      for (const f of ['ca', 'cert', 'key']) writeFileSync(path.join(dir, f), f);
      const o = etcdClientOptions({
        endpoints: ['https://10.0.0.1:2379'],
        tls: { caFile: path.join(dir, 'ca'), certFile: path.join(dir, 'cert'), keyFile: path.join(dir, 'key'), serverName: 'etcd.c1' },
      });
      assert.equal(o.credentials?.rootCertificate.toString(), 'ca');
      assert.equal(o.credentials?.certChain?.toString(), 'cert');
      assert.equal(o.credentials?.privateKey?.toString(), 'key');
      assert.equal(o.grpcOptions?.['grpc.ssl_target_name_override'], 'etcd.c1');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

void describe('toKvEvent', () => {
  const kv = (key: string, value: string, rev: string) => ({ key: Buffer.from(key), value: Buffer.from(value), mod_revision: rev, create_revision: '1', version: '1', lease: '0' });
  void it('maps puts and deletes', () => {
    assert.deepEqual(toKvEvent({ type: 'Put', kv: kv('a', 'ü', '7'), prev_kv: kv('a', '', '1') }), { type: 'put', key: 'a', value: 'ü', modRevision: 7 });
    assert.deepEqual(toKvEvent({ type: 'Delete', kv: kv('a', '', '8'), prev_kv: kv('a', '', '1') }), { type: 'delete', key: 'a', modRevision: 8 });
  });
});
