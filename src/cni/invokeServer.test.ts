import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callerView, runInvocation } from './invokeServer.ts';
import type { InvokeContext, ReadNamespace } from './invokeServer.ts';
import type { InvokeRequest } from './protocol.ts';

const self = { netns: 'net:[1]', mntns: 'mnt:[1]' };
const procs: Record<number, { net: string; mnt: string }> = { 42: { net: 'net:[2]', mnt: 'mnt:[2]' }, 43: { net: 'net:[2]', mnt: 'mnt:[1]' } };
const readNs: ReadNamespace = (pid, kind) => procs[pid]?.[kind];

test('callerView: same namespaces need nothing from /proc', () => {
  assert.deepEqual(callerView({ pid: 999, ...self }, self, () => assert.fail('no /proc read')), { root: '' });
});

test('callerView: another netns is entered through /proc/<pid>/ns/net, another mount namespace resolved through /proc/<pid>/root', () => {
  assert.deepEqual(callerView({ pid: 42, netns: 'net:[2]', mntns: 'mnt:[2]' }, self, readNs), { hostNetns: { path: '/proc/42/ns/net', id: 'net:[2]' }, root: '/proc/42/root' });
  assert.deepEqual(callerView({ pid: 43, netns: 'net:[2]', mntns: 'mnt:[1]' }, self, readNs), { hostNetns: { path: '/proc/43/ns/net', id: 'net:[2]' }, root: '' });
});

test('callerView: a pid that is not the caller here (another pid namespace) or unknown namespaces: undefined (delegate)', () => {
  assert.equal(callerView({ pid: 42, netns: 'net:[3]', mntns: 'mnt:[2]' }, self, readNs), undefined);
  assert.equal(callerView({ pid: 43, netns: 'net:[2]', mntns: 'mnt:[2]' }, self, readNs), undefined);
  assert.equal(callerView({ pid: 7, netns: 'net:[2]', mntns: 'mnt:[2]' }, self, readNs), undefined);
  assert.equal(callerView({ pid: 42, netns: '', mntns: '' }, self, readNs), undefined);
});

test('runInvocation delegates what it cannot resolve and runs the rest with the plugin code', async () => {
  const ctx: InvokeContext = {
    respond: () => Promise.resolve({ ok: true }),
    self,
    readNs,
    podNetwork: () => ({ wire: () => assert.fail('no wiring'), unwire: () => assert.fail('no wiring'), observe: () => assert.fail('no wiring') }),
    netnsExists: () => false,
  };
  const req = (env: Record<string, string>, stdin = ''): InvokeRequest => ({ op: 'invoke', pid: 1, ...self, via: '/run/w.sock', env, stdin });
  assert.equal(await runInvocation(req({ CNI_COMMAND: 'ADD', CNI_NETNS: 'relative/ns' }), ctx), 'delegate');
  assert.equal(await runInvocation({ ...req({ CNI_COMMAND: 'ADD' }), pid: 7, netns: 'net:[9]' }, ctx), 'delegate');
  const version = await runInvocation(req({ CNI_COMMAND: 'VERSION' }, '{"cniVersion":"0.4.0"}'), ctx);
  assert.deepEqual(version, { code: 0, stdout: '{"cniVersion":"0.4.0","supportedVersions":["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]}\n', stderr: '' });
  const missing = await runInvocation(req({ CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'c1', CNI_NETNS: '/run/netns/gone', CNI_IFNAME: 'eth0' }, '{"cniVersion":"1.0.0","name":"n","type":"weft","socket":"/run/w.sock"}'), ctx);
  assert.notEqual(missing, 'delegate');
  if (missing === 'delegate') return;
  assert.equal(missing.code, 1);
  assert.equal((JSON.parse(missing.stdout) as { code: number }).code, 3);
  assert.match(missing.stderr, /^weft-cni: ADD failed \(code 3\): network namespace "\/run\/netns\/gone"/);
});
