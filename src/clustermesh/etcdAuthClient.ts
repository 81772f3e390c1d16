/**
 * EtcdAuthApi over etcd's v3 Auth RPCs (the etcd3 package), with a deadline
 * on every call; errors name the endpoints and the call.
 */
import { randomBytes } from 'node:crypto';
import { Etcd3 } from 'etcd3';
import type { IPermission } from 'etcd3';
import { WeftError, ErrorCode, errorMessage } from '../errors.ts';
import { etcdClientOptions } from '../kvstore/etcd.ts';
import type { EtcdOptions } from '../kvstore/etcd.ts';
import type { AuthAction, KeyPermission, PermType } from './etcdAuth.ts';
import type { EtcdAuthApi } from './etcdAuthApply.ts';

const TO_ETCD: Record<PermType, IPermission['permType']> = { read: 'Read', write: 'Write', readwrite: 'Readwrite' };

function fromEtcd(p: IPermission): KeyPermission {
  const t = String(p.permType);
  const type: PermType = t === 'Read' || t === '0' ? 'read' : t === 'Write' || t === '1' ? 'write' : 'readwrite';
  return { type, key: Buffer.from(p.key).toString('utf8'), rangeEnd: Buffer.from(p.range_end).toString('latin1') };
}

function toEtcd(p: KeyPermission): IPermission {
  return { permType: TO_ETCD[p.type], key: Buffer.from(p.key, 'utf8'), range_end: Buffer.from(p.rangeEnd, 'latin1') };
}

export function createEtcdAuthApi(opts: EtcdOptions): EtcdAuthApi {
  const client = new Etcd3(etcdClientOptions(opts));
  const timeoutMs = opts.dialTimeoutMs ?? 5000;
  const where = opts.endpoints.join(',');
  const call = async <T>(what: string, fn: (o: { deadline: number }) => Promise<T>): Promise<T> => {
    try {
      return await fn({ deadline: Date.now() + timeoutMs });
    } catch (err) {
      throw new WeftError(ErrorCode.KvUnavailable, `etcd ${where}: ${what} failed: ${errorMessage(err)}`, { cause: err });
    }
  };
  const auth = client.auth;
  return {
    listUsers: () => call('list users', async (o) => (await auth.userList(o)).users),
    userRoles: (user) => call(`get user ${user}`, async (o) => (await auth.userGet({ name: user }, o)).roles),
    listRoles: () => call('list roles', async (o) => (await auth.roleList(o)).roles),
    rolePermissions: (role) => call(`get role ${role}`, async (o) => (await auth.roleGet({ role }, o)).perm.map(fromEtcd)),
    apply: async (a: AuthAction) => {
      switch (a.kind) {
        case 'addRole':
          await call(`add role ${a.role}`, (o) => auth.roleAdd({ name: a.role }, o));
          return;
        case 'grantPermission':
          await call(`grant ${a.perm.type} on ${a.perm.key} to role ${a.role}`, (o) => auth.roleGrantPermission({ name: a.role, perm: toEtcd(a.perm) }, o));
          return;
        case 'revokePermission':
          await call(`revoke ${a.perm.key} from role ${a.role}`, (o) =>
            auth.roleRevokePermission({ role: a.role, key: Buffer.from(a.perm.key, 'utf8'), range_end: Buffer.from(a.perm.rangeEnd, 'latin1') }, o),
          );
          return;
        case 'addUser':
          await call(`add user ${a.user}`, (o) => auth.userAdd({ name: a.user, password: randomBytes(32).toString('base64url') }, o));
          return;
        case 'grantRole':
          await call(`grant role ${a.role} to user ${a.user}`, (o) => auth.userGrantRole({ user: a.user, role: a.role }, o));
          return;
        case 'revokeRole':
          await call(`revoke role ${a.role} from user ${a.user}`, (o) => auth.userRevokeRole({ name: a.user, role: a.role }, o));
          return;
      }
    },
    enableAuth: async () => {
      await call('auth enable', (o) => auth.authEnable(o));
    },
    close: () => {
      client.close();
      return Promise.resolve();
    },
  };
}
