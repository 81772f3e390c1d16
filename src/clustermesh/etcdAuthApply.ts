/**
 * Applying the etcd RBAC plan through a small interface (real: etcd3's Auth
 * API in etcdAuthClient.ts; tests: an in-memory fake): read what etcd holds,
 * apply the difference, enable auth.
 */
import { authActions, describeAuthAction } from './etcdAuth.ts';
import type { AuthAction, AuthPlan, AuthState, KeyPermission } from './etcdAuth.ts';

export interface EtcdAuthApi {
  listUsers(): Promise<string[]>;
  userRoles(user: string): Promise<string[]>;
  listRoles(): Promise<string[]>;
  rolePermissions(role: string): Promise<KeyPermission[]>;
  /** addUser sets a random password that nobody keeps (the client certificate authenticates). */
  apply(action: AuthAction): Promise<void>;
  /** Idempotent: etcd ignores a second enable. */
  enableAuth(): Promise<void>;
  close(): Promise<void>;
}

export async function readAuthState(api: EtcdAuthApi, plan: AuthPlan): Promise<AuthState> {
  const state: AuthState = { users: {}, roles: {} };
  const roles = new Set(await api.listRoles());
  for (const r of plan.roles) if (roles.has(r.name)) state.roles[r.name] = await api.rolePermissions(r.name);
  const users = new Set(await api.listUsers());
  for (const u of plan.users) if (users.has(u.name)) state.users[u.name] = await api.userRoles(u.name);
  return state;
}

/** Makes etcd hold the plan's users and roles; returns what it did, in words. */
export async function reconcileEtcdAuth(api: EtcdAuthApi, plan: AuthPlan): Promise<string[]> {
  const actions = authActions(plan, await readAuthState(api, plan));
  for (const a of actions) await api.apply(a);
  return actions.map(describeAuthAction);
}
