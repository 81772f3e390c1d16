import { test } from 'node:test';
import assert from 'node:assert/strict';
import { etcdAuthPlan } from './etcdAuth.ts';
import type { AuthAction, KeyPermission } from './etcdAuth.ts';
import { readAuthState, reconcileEtcdAuth } from './etcdAuthApply.ts';
import type { EtcdAuthApi } from './etcdAuthApply.ts';

/** etcd's auth store in memory, with its rules: unknown role/user fail, the built-in root role needs no creation. */
function fakeAuth(): EtcdAuthApi & { users: Map<string, string[]>; roles: Map<string, KeyPermission[]>; enabled: boolean; calls: string[] } {
  const users = new Map<string, string[]>();
  const roles = new Map<string, KeyPermission[]>();
  const calls: string[] = [];
  const fake = {
    users,
    roles,
    enabled: false,
    calls,
    listUsers: () => Promise.resolve([...users.keys()]),
    userRoles: (u: string) => Promise.resolve([...(users.get(u) ?? [])]),
    listRoles: () => Promise.resolve([...roles.keys()]),
    rolePermissions: (r: string) => Promise.resolve([...(roles.get(r) ?? [])]),
    apply: (a: AuthAction) => {
      calls.push(a.kind);
      switch (a.kind) {
        case 'addRole':
          if (roles.has(a.role)) return Promise.reject(new Error(`role ${a.role} exists`));
          roles.set(a.role, []);
          break;
        case 'grantPermission': {
          const r = roles.get(a.role);
          if (r === undefined) return Promise.reject(new Error(`no role ${a.role}`));
          roles.set(a.role, [...r.filter((p) => p.key !== a.perm.key || p.rangeEnd !== a.perm.rangeEnd), a.perm]);
          break;
        }
        case 'revokePermission':
          roles.set(a.role, (roles.get(a.role) ?? []).filter((p) => p.key !== a.perm.key || p.rangeEnd !== a.perm.rangeEnd));
          break;
        case 'addUser':
          if (users.has(a.user)) return Promise.reject(new Error(`user ${a.user} exists`));
          users.set(a.user, []);
          break;
        case 'grantRole':
          if (a.role !== 'root' && !roles.has(a.role)) return Promise.reject(new Error(`no role ${a.role}`));
          users.set(a.user, [...(users.get(a.user) ?? []), a.role]);
          break;
        case 'revokeRole':
          users.set(a.user, (users.get(a.user) ?? []).filter((r) => r !== a.role));
          break;
      }
      return Promise.resolve();
    },
    enableAuth: () => {
      if (!(users.get('root') ?? []).includes('root')) return Promise.reject(new Error('root user does not exist'));
      fake.enabled = true;
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
  return fake;
}

test('reconcileEtcdAuth builds the plan, then does nothing on a second run; auth enable then succeeds', async () => {
  const api = fakeAuth();
  const plan = etcdAuthPlan('c9');
  const first = await reconcileEtcdAuth(api, plan);
  assert.equal(first.length, plan.roles.length + plan.roles.reduce((n, r) => n + r.permissions.length, 0) + plan.users.length * 2);
  assert.deepEqual(await reconcileEtcdAuth(api, plan), []);
  const state = await readAuthState(api, plan);
  assert.deepEqual(state.users['admin-c9'], ['root']);
  assert.deepEqual(state.roles['mesh-proxy']?.map((p) => p.key).sort(), ['weft/cluster-config/c9', 'weft/mesh/remotes/', 'weft/state/', 'weft/synced/c9/']);
  await api.enableAuth();
  assert.equal(api.enabled, true);
});

test('reconcileEtcdAuth leaves users and roles outside the plan alone', async () => {
  const api = fakeAuth();
  api.users.set('someone', ['custom']);
  api.roles.set('custom', [{ type: 'read', key: 'x', rangeEnd: '' }]);
  await reconcileEtcdAuth(api, etcdAuthPlan('c9'));
  assert.deepEqual(api.users.get('someone'), ['custom']);
  assert.deepEqual(api.roles.get('custom'), [{ type: 'read', key: 'x', rangeEnd: '' }]);
});
