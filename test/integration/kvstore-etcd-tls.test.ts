import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEtcdKv, type EtcdTls } from '../../src/kvstore/etcd.ts';
import { recordWatch } from '../../src/kvstore/backend.contract.ts';
import { isWeftError, ErrorCode } from '../../src/errors.ts';
import { startTestEtcd, type TestEtcd } from '../support/etcd.ts';
import { makeTestEtcdCerts, TEST_ETCD_SERVER_NAME, type TestEtcdCerts } from '../support/etcdCerts.ts';

let dir: string;
let certs: TestEtcdCerts;
let etcd: TestEtcd;
before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'weft-test-certs-'));
  certs = await makeTestEtcdCerts(dir);
  etcd = await startTestEtcd({ tls: { caFile: certs.caFile, certFile: certs.serverCertFile, keyFile: certs.serverKeyFile } });
});
after(async () => {
  await etcd.stop();
  rmSync(dir, { recursive: true, force: true });
});

const clientTls = (over: Partial<EtcdTls> = {}): EtcdTls => ({
  caFile: certs.caFile,
  certFile: certs.clientCertFile,
  keyFile: certs.clientKeyFile,
  serverName: TEST_ETCD_SERVER_NAME,
  ...over,
});

void describe('etcd over mutual TLS', () => {
  void it('reads, writes and watches with a client certificate and a server-name override', async () => {
    assert.match(etcd.endpoint, /^https:\/\//);
    const kv = createEtcdKv({ endpoints: [etcd.endpoint], tls: clientTls() });
    const rev = await kv.put('tls/a', 'secret');
    assert.deepEqual(await kv.get('tls/a'), { key: 'tls/a', value: 'secret', modRevision: rev });
    const w = recordWatch(kv, 'tls/', rev);
    assert.equal((await w.waitEvents(1))[0]?.modRevision, rev);
    w.watch.close();
    await kv.close();
  });

  void it('fails with KvUnavailable naming the endpoint when the server name does not match', async () => {
    const { serverName: _drop, ...noOverride } = clientTls();
    const kv = createEtcdKv({ endpoints: [etcd.endpoint], tls: noOverride, dialTimeoutMs: 2000 });
    await assert.rejects(kv.get('tls/a'), (e) => isWeftError(e, ErrorCode.KvUnavailable) && e.message.includes(etcd.endpoint));
    await kv.close();
  });

  void it('is refused without a client certificate signed by the CA', async () => {
    // the server certificate is not a client certificate (no clientAuth usage)
    const kv = createEtcdKv({ endpoints: [etcd.endpoint], tls: clientTls({ certFile: certs.serverCertFile, keyFile: certs.serverKeyFile }), dialTimeoutMs: 2000 });
    await assert.rejects(kv.get('tls/a'), (e) => isWeftError(e, ErrorCode.KvUnavailable));
    await kv.close();
  });
});
