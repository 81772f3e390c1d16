import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authActions, describeAuthAction, etcdAuthPlan, keyPermission, prefixPermission, prefixRangeEnd, remoteReadPermissions } from './etcdAuth.ts';
import type { AuthPlan, AuthState } from './etcdAuth.ts';

test('prefixRangeEnd is the next key after the prefix range', () => {
  assert.equal(prefixRangeEnd('weft/'), 'weft0');
  assert.equal(prefixRangeEnd('weft/state/'), 'weft/state0');
  assert.equal(prefixRangeEnd('a'), 'b');
});

/** What the plan lets `user` do with `key` (etcd's semantics: a permission covers one key or a half-open range). */
function permits(plan: AuthPlan, user: string, key: string, op: 'read' | 'write'): boolean {
  const roles = plan.users.find((u) => u.name === user)?.roles ?? [];
  if (roles.includes('root')) return true;
  return plan.roles
    .filter((r) => roles.includes(r.name))
    .flatMap((r) => r.permissions)
    .some((p) => (p.type === 'readwrite' || p.type === op) && (p.rangeEnd === '' ? p.key === key : key >= p.key && key < p.rangeEnd));
}

test('the plan: users name their cluster; admin is root; operator, node and mesh-proxy get the access table, nothing more', () => {
  const plan = etcdAuthPlan('c1');
  const users = Object.fromEntries(plan.users.map((u) => [u.name, u.roles]));
  assert.deepEqual(users, { root: ['root'], 'admin-c1': ['root'], 'operator-c1': ['operator'], 'node-c1': ['node'], 'mesh-proxy-c1': ['mesh-proxy'] });
  const table: [string, string, string, string][] = [
    // key, operator, node, mesh-proxy ('' none, r read, rw read-write)
    ['weft/cluster-config/c1', 'r', 'r', 'r'],
    ['weft/state/nodes/v1/c1/n1', 'rw', 'rw', 'r'],
    ['weft/state/endpoints/v1/c1/default/p', 'rw', 'rw', 'r'],
    ['weft/state/identities/v1/c1/65792', 'rw', 'rw', 'r'],
    ['weft/state/services/v1/c1/default/echo', 'rw', 'r', 'r'],
    ['weft/alloc/identities/c1/abc', 'rw', 'rw', ''],
    ['weft/alloc/podcidr/10.1.1.0_24', 'rw', '', ''],
    ['weft/synced/c1/state', 'rw', '', 'r'],
    ['weft/cache/c2/state/nodes/v1/c2/n1', 'rw', 'r', ''],
    ['weft/resources/pods/default/p', 'rw', 'r', ''],
    ['weft/status/pods/default/p', 'r', 'rw', ''],
    ['weft/status/agents/n1', 'r', 'rw', ''],
    ['weft/mesh/remotes/c2', 'r', '', 'r'],
    ['weft/mesh/status/c2', 'rw', '', ''],
  ];
  const level = (user: string, key: string): string => (permits(plan, user, key, 'write') ? 'rw' : permits(plan, user, key, 'read') ? 'r' : '');
  for (const [key, op, node, proxy] of table) {
    assert.deepEqual([key, level('operator-c1', key), level('node-c1', key), level('mesh-proxy-c1', key)], [key, op, node, proxy]);
  }
  // No role covers the whole weft/ range (so no one but root can delete everything), and no one but root touches another cluster's node state.
  for (const user of ['operator-c1', 'node-c1', 'mesh-proxy-c1']) {
    for (const r of plan.roles.filter((x) => plan.users.find((u) => u.name === user)?.roles.includes(x.name))) {
      for (const p of r.permissions) assert.notEqual(p.key, 'weft/', `${user} has a permission on all of weft/`);
    }
  }
  assert.equal(permits(plan, 'node-c1', 'weft/state/nodes/v1/c2/n1', 'write'), false);
  assert.equal(permits(plan, 'node-c1', 'weft/cluster-config/c1', 'write'), false);
  // Users of other clusters, and the old unscoped names, have no rights.
  for (const user of ['admin', 'node', 'operator', 'remote', 'admin-c2', 'node-c2', 'remote-c2']) assert.equal(permits(plan, user, 'weft/state/nodes/v1/c1/n1', 'read'), false, user);
});

test('remote clusters read only what is exported', () => {
  assert.deepEqual(remoteReadPermissions('c1'), [
    { type: 'read', key: 'weft/state/', rangeEnd: 'weft/state0' },
    { type: 'read', key: 'weft/cluster-config/c1', rangeEnd: '' },
    { type: 'read', key: 'weft/synced/c1/', rangeEnd: 'weft/synced/c10' },
  ]);
});

test('authActions on an empty etcd creates every role, permission and user', () => {
  const plan = etcdAuthPlan('c1');
  const actions = authActions(plan, { users: {}, roles: {} }).map(describeAuthAction);
  const perms = plan.roles.reduce((n, r) => n + r.permissions.length, 0);
  assert.equal(actions.length, plan.roles.length + perms + plan.users.length * 2);
  assert.deepEqual(actions.slice(0, 3), ['add role operator', 'grant readwrite on prefix weft/state/ to role operator', 'grant readwrite on prefix weft/synced/ to role operator']);
  assert.deepEqual(actions.slice(-4), ['add user node-c1', 'grant role node to user node-c1', 'add user mesh-proxy-c1', 'grant role mesh-proxy to user mesh-proxy-c1']);
});

test('authActions is empty when etcd already matches, and corrects drift exactly', () => {
  const plan = etcdAuthPlan('c1');
  const done: AuthState = {
    users: Object.fromEntries(plan.users.map((u) => [u.name, [...u.roles]])),
    roles: Object.fromEntries(plan.roles.map((r) => [r.name, [...r.permissions].reverse()])),
  };
  assert.deepEqual(authActions(plan, done), []);

  const drift: AuthState = {
    users: { ...done.users, 'mesh-proxy-c1': ['mesh-proxy', 'operator'], 'node-c1': [] },
    roles: {
      ...done.roles,
      'mesh-proxy': [
        prefixPermission('readwrite', 'weft/state/'),
        keyPermission('read', 'weft/cluster-config/c1'),
        prefixPermission('read', 'weft/synced/c1/'),
        prefixPermission('read', 'weft/mesh/remotes/'),
        prefixPermission('read', 'weft/resources/'),
      ],
    },
  };
  assert.deepEqual(authActions(plan, drift).map(describeAuthAction), [
    'revoke readwrite on prefix weft/state/ from role mesh-proxy',
    'revoke read on prefix weft/resources/ from role mesh-proxy',
    'grant read on prefix weft/state/ to role mesh-proxy',
    'grant role node to user node-c1',
    'revoke role operator from user mesh-proxy-c1',
  ]);
});
