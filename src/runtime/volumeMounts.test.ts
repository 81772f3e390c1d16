import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerMounts, resolveMountedPath } from './volumeMounts.ts';

void test('mounts map normalized mount paths to volume folders (subPath inside)', () => {
  assert.deepEqual(
    containerMounts(
      [
        { name: 'html', mountPath: '/usr/share/nginx/html/' },
        { name: 'conf', mountPath: '/etc/app', subPath: 'app', readOnly: true },
      ],
      '/s/pods/default_web.volumes',
    ),
    { '/usr/share/nginx/html': '/s/pods/default_web.volumes/html', '/etc/app': '/s/pods/default_web.volumes/conf/app' },
  );
  assert.deepEqual(containerMounts(undefined, '/x'), {});
});

void test('a container path resolves through the deepest mount holding it', () => {
  const mounts = { '/usr/share/nginx': '/v/share', '/usr/share/nginx/html': '/v/html', '/': '/v/root' };
  assert.equal(resolveMountedPath(mounts, '/usr/share/nginx/html'), '/v/html');
  assert.equal(resolveMountedPath(mounts, '/usr/share/nginx/html/'), '/v/html');
  assert.equal(resolveMountedPath(mounts, '/usr/share/nginx/conf/a'), '/v/share/conf/a');
  assert.equal(resolveMountedPath(mounts, '/etc/x'), '/v/root/etc/x');
  assert.equal(resolveMountedPath({ '/usr/share/nginx': '/v/share' }, '/usr/share/nginxx'), undefined);
  assert.equal(resolveMountedPath({}, '/usr/share/nginx/html'), undefined);
});
