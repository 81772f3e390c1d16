import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authActions, describeAuthAction, etcdAuthPlan, keyPermission, prefixPermission, prefixRangeEnd } from './etcdAuth.ts';
import type { AuthState } from './etcdAuth.ts';

test('prefixRangeEnd is the next key after the prefix range', () => {
  assert.equal(prefixRangeEnd('weft/'), 'weft0');
  assert.equal(prefixRangeEnd('weft/state/'), 'weft/state0');
  assert.equal(prefixRangeEnd('a'), 'b');
});

test('the plan: admin and root are root; operator and node read-write weft/; remote reads only what is exported', () => {
  const plan = etcdAuthPlan('c1');
  const users = Object.fromEntries(plan.users.map((u) => [u.name, u.roles]));
  assert.deepEqual(users, { root: ['root'], admin: ['root'], operator: ['operator'], node: ['node'], remote: ['remote'] });
  const roles = Object.fromEntries(plan.roles.map((r) => [r.name, r.permissions]));
  assert.deepEqual(roles['operator'], [{ type: 'readwrite', key: 'weft/', rangeEnd: 'weft0' }]);
  assert.deepEqual(roles['node'], [{ type: 'readwrite', key: 'weft/', rangeEnd: 'weft0' }]);
  assert.deepEqual(roles['remote'], [
    { type: 'read', key: 'weft/state/', rangeEnd: 'weft/state0' },
    { type: 'read', key: 'weft/cluster-config/c1', rangeEnd: '' },
    { type: 'read', key: 'weft/synced/c1/', rangeEnd: 'weft/synced/c10' },
  ]);
  // Nothing in the plan lets remote write, or read resources, mesh, cache or status.
  for (const p of roles['remote'] ?? []) {
    assert.equal(p.type, 'read');
    for (const hidden of ['weft/resources/pods/default/x', 'weft/mesh/remotes/c2', 'weft/cache/c2/state/nodes/v1/c2/n1', 'weft/status/pods/default/x', 'weft/synced/c2/state', 'weft/cluster-config/c2']) {
      const covers = p.rangeEnd === '' ? p.key === hidden : hidden >= p.key && hidden < p.rangeEnd;
      assert.equal(covers, false, `${hidden} is covered by ${p.key}`);
    }
  }
});

test('authActions on an empty etcd creates every role, permission and user', () => {
  const actions = authActions(etcdAuthPlan('c1'), { users: {}, roles: {} }).map(describeAuthAction);
  assert.deepEqual(actions, [
    'add role operator',
    'grant readwrite on prefix weft/ to role operator',
    'add role node',
    'grant readwrite on prefix weft/ to role node',
    'add role remote',
    'grant read on prefix weft/state/ to role remote',
    'grant read on key weft/cluster-config/c1 to role remote',
    'grant read on prefix weft/synced/c1/ to role remote',
    'add user root',
    'grant role root to user root',
    'add user admin',
    'grant role root to user admin',
    'add user operator',
    'grant role operator to user operator',
    'add user node',
    'grant role node to user node',
    'add user remote',
    'grant role remote to user remote',
  ]);
});

test('authActions is empty when etcd already matches, and corrects drift exactly', () => {
  const plan = etcdAuthPlan('c1');
  const done: AuthState = {
    users: Object.fromEntries(plan.users.map((u) => [u.name, [...u.roles]])),
    roles: Object.fromEntries(plan.roles.map((r) => [r.name, [...r.permissions].reverse()])),
  };
  assert.deepEqual(authActions(plan, done), []);

  const drift: AuthState = {
    users: { ...done.users, remote: ['remote', 'operator'], node: [] },
    roles: {
      ...done.roles,
      remote: [prefixPermission('readwrite', 'weft/state/'), keyPermission('read', 'weft/cluster-config/c1'), prefixPermission('read', 'weft/resources/')],
    },
  };
  assert.deepEqual(authActions(plan, drift).map(describeAuthAction), [
    'revoke readwrite on prefix weft/state/ from role remote',
    'revoke read on prefix weft/resources/ from role remote',
    'grant read on prefix weft/state/ to role remote',
    'grant read on prefix weft/synced/c1/ to role remote',
    'grant role node to user node',
    'revoke role operator from user remote',
  ]);
});
