import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { runBackendContract } from '../../src/kvstore/backend.contract.ts';
import { createEtcdKv } from '../../src/kvstore/etcd.ts';
import { startTestEtcd, compactEtcd, freePort, type TestEtcd } from '../support/etcd.ts';
import { isWeftError, ErrorCode } from '../../src/errors.ts';

let etcd: TestEtcd;
before(async () => {
  etcd = await startTestEtcd();
});
after(async () => {
  await etcd.stop();
});

runBackendContract('etcd', () => {
  const kv = createEtcdKv({ endpoints: [etcd.endpoint] });
  return Promise.resolve({ kv, cleanup: () => kv.close(), compact: (rev: number) => compactEtcd(etcd.endpoint, rev) });
});

void describe('etcd backend failures', () => {
  void it('names the endpoint when etcd is unreachable, within the timeout', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const kv = createEtcdKv({ endpoints: [endpoint], dialTimeoutMs: 1000 });
    const t0 = Date.now();
    await assert.rejects(kv.get('weft/x'), (e) => isWeftError(e, ErrorCode.KvUnavailable) && e.message.includes(endpoint));
    assert.ok(Date.now() - t0 < 5000);
    await kv.close();
  });

  void it('rejects malformed endpoints and TLS on http', () => {
    assert.throws(() => createEtcdKv({ endpoints: ['127.0.0.1:2379'] }), /not http/);
    assert.throws(() => createEtcdKv({ endpoints: ['http://127.0.0.1:2379'], tls: { caFile: '/x', certFile: '/y', keyFile: '/z' } }), /plain http/);
    assert.throws(() => createEtcdKv({ endpoints: ['https://127.0.0.1:2379'], tls: { caFile: '/nope/ca.pem', certFile: '/y', keyFile: '/z' } }), /\/nope\/ca\.pem/);
  });

  void it('a watch gets onError when etcd stops, and works again after restart', async () => {
    const kv = createEtcdKv({ endpoints: [etcd.endpoint], dialTimeoutMs: 2000 });
    await kv.put('fail/a', '1');
    const errors: Error[] = [];
    const w = kv.watch('fail/', (await kv.list('fail/')).revision + 1, { onEvents: () => undefined, onError: (e) => errors.push(e) });
    await new Promise((r) => setTimeout(r, 200));
    const restarting = etcd.restart();
    for (let i = 0; i < 100 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    await restarting;
    assert.equal(errors.length, 1);
    assert.ok(isWeftError(errors[0], ErrorCode.KvUnavailable));
    w.close();
    let value: string | undefined;
    for (let i = 0; i < 40 && value === undefined; i++) {
      value = await kv.get('fail/a').then((e) => e?.value, () => undefined);
      if (value === undefined) await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(value, '1');
    await kv.close();
  });
});
