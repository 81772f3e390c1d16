import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALLOWED_METHODS, methodName, REFUSED_METHODS } from './methods.ts';

test('remotes may only read: Range, Watch, Status', () => {
  assert.deepEqual(ALLOWED_METHODS.map((m) => methodName(m.path)), ['KV.Range', 'Watch.Watch', 'Maintenance.Status']);
});

test('every write, compaction and lease call is refused by name; no method is both', () => {
  const refused = new Set(REFUSED_METHODS.map((m) => methodName(m.path)));
  for (const m of ['KV.Put', 'KV.DeleteRange', 'KV.Txn', 'KV.Compact', 'Lease.LeaseGrant', 'Lease.LeaseRevoke', 'Lease.LeaseKeepAlive', 'Auth.UserAdd', 'Auth.AuthDisable', 'Maintenance.Defragment', 'Maintenance.Snapshot', 'Cluster.MemberRemove', 'Lock.Lock', 'Election.Campaign']) {
    assert.ok(refused.has(m), m);
  }
  for (const m of ALLOWED_METHODS) assert.ok(!REFUSED_METHODS.some((r) => r.path === m.path), m.path);
  assert.equal(new Set(REFUSED_METHODS.map((m) => m.path)).size, REFUSED_METHODS.length, 'no duplicates');
});

test('methodName shortens gRPC paths', () => {
  assert.equal(methodName('/etcdserverpb.KV/Compact'), 'KV.Compact');
  assert.equal(methodName('/v3lockpb.Lock/Lock'), 'Lock.Lock');
  assert.equal(methodName('weird'), 'weird');
});
