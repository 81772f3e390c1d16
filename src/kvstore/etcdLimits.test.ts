import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ETCD_MAX_REQUEST_BYTES, ETCD_MAX_TXN_OPS, etcdLimitFlags } from './etcdLimits.ts';

void test('the etcd flags carry the limits Weft plans for', () => {
  assert.deepEqual(etcdLimitFlags(), ['--max-txn-ops=8192', '--max-request-bytes=10485760']);
  assert.ok(ETCD_MAX_TXN_OPS > 128, 'above etcd default of 128 operations');
  assert.ok(ETCD_MAX_REQUEST_BYTES > 1.5 * 1024 * 1024, 'above etcd default of 1.5 MiB');
});
