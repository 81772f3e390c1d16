/**
 * etcd RBAC of a mesh cluster (docs/security.md › Access table), pure: the
 * users and roles a cluster needs, and the actions that turn what etcd has
 * into that. With --client-cert-auth the CN of the client certificate is the
 * user; every user names its cluster (`operator-c1`), and etcd trusts only the
 * cluster CA, so another cluster's certificates have no rights here at all.
 *
 *   root, admin-<c>   → role root (etcd needs a root user before auth enable)
 *   operator-<c>      → role operator: readwrite state, synced, cache, mesh status,
 *                       resources, alloc; read cluster-config, mesh remotes, status
 *   node-<c>          → role node: read cluster-config, state, cache, resources;
 *                       readwrite its cluster's nodes, endpoints, identities,
 *                       identity index, and weft/status/ (pod and agent status)
 *   mesh-proxy-<c>    → role mesh-proxy: read exported state (weft/state/, key
 *                       weft/cluster-config/<c>, weft/synced/<c>/) and the
 *                       mesh remotes (who may connect); remotes reach etcd only
 *                       through the mesh proxy, as this user
 *
 * The users' passwords are random and never stored.
 */
import { keys } from '../kvstore/keys.ts';
import { localUser } from '../pki/clusterCerts.ts';

export type PermType = 'read' | 'write' | 'readwrite';

export interface KeyPermission {
  type: PermType;
  key: string;
  /** '' for exactly one key; the end of the prefix range otherwise. */
  rangeEnd: string;
}

export interface RolePlan {
  name: string;
  permissions: KeyPermission[];
}

export interface UserPlan {
  name: string;
  roles: string[];
}

export interface AuthPlan {
  roles: RolePlan[];
  users: UserPlan[];
}

/** etcd's built-in superuser role: exists without being created, holds no key permissions. */
export const ROOT_ROLE = 'root';
export const ROOT_USER = 'root';

/** The end of the key range holding every key that starts with prefix (etcd's prefix range). */
export function prefixRangeEnd(prefix: string): string {
  const bytes = Buffer.from(prefix, 'utf8');
  for (let i = bytes.length - 1; i >= 0; i--) {
    const b = bytes[i] ?? 0;
    if (b < 0xff) {
      const end = Buffer.from(bytes.subarray(0, i + 1));
      end[i] = b + 1;
      return end.toString('latin1');
    }
  }
  return '\0';
}

export function prefixPermission(type: PermType, prefix: string): KeyPermission {
  return { type, key: prefix, rangeEnd: prefixRangeEnd(prefix) };
}

export function keyPermission(type: PermType, key: string): KeyPermission {
  return { type, key, rangeEnd: '' };
}

/** What remote clusters may read of `cluster`'s etcd: its exported state, its config and its sync markers. */
export function remoteReadPermissions(cluster: string): KeyPermission[] {
  return [
    prefixPermission('read', keys.statePrefix()),
    keyPermission('read', keys.clusterConfig(cluster)),
    prefixPermission('read', keys.syncedPrefix(cluster)),
  ];
}

export const OPERATOR_ROLE = 'operator';
export const NODE_ROLE = 'node';
export const MESH_PROXY_ROLE = 'mesh-proxy';

function operatorPermissions(): KeyPermission[] {
  return [
    ...[keys.statePrefix(), keys.syncedRoot(), keys.cacheRoot(), keys.meshStatusPrefix(), keys.resourcesRoot(), keys.allocPrefix()].map((p) => prefixPermission('readwrite', p)),
    ...[keys.clusterConfigPrefix(), keys.meshRemotesPrefix(), keys.statusPrefix()].map((p) => prefixPermission('read', p)),
  ];
}

/** What a node owns (its cluster's nodes, endpoints and identities; pod and agent status) and what it reads. */
function nodePermissions(cluster: string): KeyPermission[] {
  return [
    ...[keys.clusterConfigPrefix(), keys.statePrefix(), keys.cacheRoot(), keys.resourcesRoot()].map((p) => prefixPermission('read', p)),
    ...[keys.nodesPrefix(cluster), keys.endpointsPrefix(cluster), keys.identitiesPrefix(cluster), keys.identityIndexPrefix(cluster), keys.statusPrefix()].map((p) =>
      prefixPermission('readwrite', p),
    ),
  ];
}

export function etcdAuthPlan(cluster: string): AuthPlan {
  return {
    roles: [
      { name: OPERATOR_ROLE, permissions: operatorPermissions() },
      { name: NODE_ROLE, permissions: nodePermissions(cluster) },
      { name: MESH_PROXY_ROLE, permissions: [...remoteReadPermissions(cluster), prefixPermission('read', keys.meshRemotesPrefix())] },
    ],
    users: [
      { name: ROOT_USER, roles: [ROOT_ROLE] },
      { name: localUser('admin', cluster), roles: [ROOT_ROLE] },
      { name: localUser('operator', cluster), roles: [OPERATOR_ROLE] },
      { name: localUser('node', cluster), roles: [NODE_ROLE] },
      { name: localUser('mesh-proxy', cluster), roles: [MESH_PROXY_ROLE] },
    ],
  };
}

/** What etcd holds now: users with their roles, roles with their permissions. */
export interface AuthState {
  users: Record<string, string[]>;
  roles: Record<string, KeyPermission[]>;
}

export type AuthAction =
  | { kind: 'addRole'; role: string }
  | { kind: 'grantPermission'; role: string; perm: KeyPermission }
  | { kind: 'revokePermission'; role: string; perm: KeyPermission }
  | { kind: 'addUser'; user: string }
  | { kind: 'grantRole'; user: string; role: string }
  | { kind: 'revokeRole'; user: string; role: string };

function sameRange(a: KeyPermission, b: KeyPermission): boolean {
  return a.key === b.key && a.rangeEnd === b.rangeEnd;
}

/**
 * Pure: the actions that make etcd hold exactly the plan's roles and users
 * (roles and users outside the plan are left alone). A permission on the same
 * range with another type is revoked, then granted with the right type.
 */
export function authActions(plan: AuthPlan, current: AuthState): AuthAction[] {
  const out: AuthAction[] = [];
  for (const role of plan.roles) {
    const have = current.roles[role.name];
    if (have === undefined) out.push({ kind: 'addRole', role: role.name });
    const existing = have ?? [];
    for (const perm of existing) {
      const wanted = role.permissions.find((p) => sameRange(p, perm));
      if (wanted === undefined || wanted.type !== perm.type) out.push({ kind: 'revokePermission', role: role.name, perm });
    }
    for (const perm of role.permissions) {
      const found = existing.find((p) => sameRange(p, perm));
      if (found === undefined || found.type !== perm.type) out.push({ kind: 'grantPermission', role: role.name, perm });
    }
  }
  for (const user of plan.users) {
    const have = current.users[user.name];
    if (have === undefined) out.push({ kind: 'addUser', user: user.name });
    const roles = have ?? [];
    for (const role of roles) if (!user.roles.includes(role)) out.push({ kind: 'revokeRole', user: user.name, role });
    for (const role of user.roles) if (!roles.includes(role)) out.push({ kind: 'grantRole', user: user.name, role });
  }
  return out;
}

export function describeAuthAction(a: AuthAction): string {
  const range = (p: KeyPermission): string => (p.rangeEnd === '' ? `key ${p.key}` : `prefix ${p.key}`);
  switch (a.kind) {
    case 'addRole':
      return `add role ${a.role}`;
    case 'grantPermission':
      return `grant ${a.perm.type} on ${range(a.perm)} to role ${a.role}`;
    case 'revokePermission':
      return `revoke ${a.perm.type} on ${range(a.perm)} from role ${a.role}`;
    case 'addUser':
      return `add user ${a.user}`;
    case 'grantRole':
      return `grant role ${a.role} to user ${a.user}`;
    case 'revokeRole':
      return `revoke role ${a.role} from user ${a.user}`;
  }
}
