/**
 * The etcd gRPC methods a remote cluster may call through the mesh proxy,
 * and the ones it is refused (docs/security.md › The mesh proxy), pure.
 *
 * Remote clusters read: Range (get/list) and Watch, and Status (health).
 * Everything else etcd serves is refused with PERMISSION_DENIED, by name:
 * writes, transactions, compaction, every lease call (etcd lets any
 * authenticated user compact and grant leases, so its RBAC alone cannot stop
 * them), auth, cluster membership, maintenance, locks and elections.
 */

export type MethodKind = 'unary' | 'bidi' | 'serverStream';

export interface EtcdMethod {
  /** The gRPC path, `/etcdserverpb.KV/Range`. */
  readonly path: string;
  readonly kind: MethodKind;
}

const unary = (service: string, names: readonly string[]): EtcdMethod[] => names.map((n) => ({ path: `/${service}/${n}`, kind: 'unary' as const }));

/** Forwarded to the cluster's etcd as the proxy's read-only user. */
export const ALLOWED_METHODS: readonly EtcdMethod[] = [
  { path: '/etcdserverpb.KV/Range', kind: 'unary' },
  { path: '/etcdserverpb.Watch/Watch', kind: 'bidi' },
  { path: '/etcdserverpb.Maintenance/Status', kind: 'unary' },
];

/** Answered by the proxy itself with PERMISSION_DENIED; never reach etcd. */
export const REFUSED_METHODS: readonly EtcdMethod[] = [
  ...unary('etcdserverpb.KV', ['Put', 'DeleteRange', 'Txn', 'Compact']),
  ...unary('etcdserverpb.Lease', ['LeaseGrant', 'LeaseRevoke', 'LeaseTimeToLive', 'LeaseLeases']),
  { path: '/etcdserverpb.Lease/LeaseKeepAlive', kind: 'bidi' },
  ...unary('etcdserverpb.Cluster', ['MemberAdd', 'MemberRemove', 'MemberUpdate', 'MemberList', 'MemberPromote']),
  ...unary('etcdserverpb.Maintenance', ['Alarm', 'Defragment', 'Hash', 'HashKV', 'MoveLeader', 'Downgrade']),
  { path: '/etcdserverpb.Maintenance/Snapshot', kind: 'serverStream' },
  ...unary('etcdserverpb.Auth', [
    'AuthEnable',
    'AuthDisable',
    'AuthStatus',
    'Authenticate',
    'UserAdd',
    'UserGet',
    'UserList',
    'UserDelete',
    'UserChangePassword',
    'UserGrantRole',
    'UserRevokeRole',
    'RoleAdd',
    'RoleGet',
    'RoleList',
    'RoleDelete',
    'RoleGrantPermission',
    'RoleRevokePermission',
  ]),
  ...unary('v3lockpb.Lock', ['Lock', 'Unlock']),
  ...unary('v3electionpb.Election', ['Campaign', 'Proclaim', 'Leader', 'Resign']),
  { path: '/v3electionpb.Election/Observe', kind: 'serverStream' },
];

/** The short name of a method path: `/etcdserverpb.KV/Compact` → `KV.Compact`. */
export function methodName(path: string): string {
  const m = /^\/(?:[a-z0-9]+\.)?([A-Za-z]+)\/([A-Za-z]+)$/.exec(path);
  return m === null ? path : `${m[1] ?? ''}.${m[2] ?? ''}`;
}

/** Metadata keys passed on to etcd (etcdctl's watch sets `hasleader`); nothing else crosses. */
export const FORWARDED_METADATA = ['hasleader'] as const;
