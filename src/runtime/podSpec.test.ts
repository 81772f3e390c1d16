import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { RuntimePod } from './podSpec.ts';
import { podProcesses, podSpecHash } from './podSpec.ts';

const where = { cluster: 'c1', node: 'n1', nodeBin: '/node', volumesDir: '/state/pods/default_p.volumes' };
const pod = (containers: RuntimePod['containers'], volumes?: RuntimePod['volumes']): RuntimePod => ({ namespace: 'default', name: 'p', containers, volumes });
const script = (argv: readonly string[]): string => (argv[2] ?? '').split('/').pop() ?? '';

void test("seed 002's rebel-base (nginx, html volume, no ports) serves the mounted folder on port 80", () => {
  const [p] = podProcesses(
    pod([{ name: 'rebel-base', image: 'docker.io/nginx:1.15.8', volumeMounts: [{ name: 'html', mountPath: '/usr/share/nginx/html/' }] }], [{ name: 'html', configMap: { name: 'rebel-base-response' } }]),
    where,
  );
  assert.ok(p);
  assert.equal(script(p.argv), 'staticMain.ts');
  assert.deepEqual(p.argv.slice(3), ['--root', '/state/pods/default_p.volumes/html', '--port', '80']);
  assert.deepEqual(JSON.parse(p.env['WEFT_VOLUME_MOUNTS'] ?? ''), { '/usr/share/nginx/html': '/state/pods/default_p.volumes/html' });
  assert.equal(p.env['POD_NAME'], 'p');
});

void test('nginx without a volume serves the welcome page on its declared TCP ports', () => {
  const [p] = podProcesses(pod([{ name: 'web', image: 'nginx', ports: [{ containerPort: 8080 }, { containerPort: 53, protocol: 'UDP' }] }]), where);
  assert.ok(p);
  assert.equal(script(p.argv), 'staticMain.ts');
  assert.deepEqual(p.argv.slice(3), ['--port', '8080']);
  assert.equal(p.env['WEFT_VOLUME_MOUNTS'], undefined);
});

void test('json-mock runs the echo server on 80 (or its declared ports)', () => {
  const image = 'quay.io/cilium/json-mock:v1.3.3@sha256:f26044a2b8085fcaa8146b6b8bb73556134d7ec3d5782c6a04a058c945924ca0';
  const [a] = podProcesses(pod([{ name: 'x-wing-container', image }]), where);
  assert.deepEqual(a?.argv.slice(2).map((s, i) => (i === 0 ? s.split('/').pop() : s)), ['echoMain.ts', 'p', 'default', 'n1', 'c1', '80/TCP']);
  const [b] = podProcesses(pod([{ name: 'x', image, ports: [{ containerPort: 9000 }] }]), where);
  assert.deepEqual(b?.argv.slice(-1), ['9000/TCP']);
});

void test("Istio's helloworld images answer /hello on 5000 (or the declared port) with their version", () => {
  const [v1] = podProcesses(pod([{ name: 'helloworld', image: 'docker.io/istio/examples-helloworld-v1', ports: [{ containerPort: 5000 }] }]), where);
  assert.ok(v1);
  assert.equal(script(v1.argv), 'helloworldMain.ts');
  assert.deepEqual(v1.argv.slice(3), ['--version', 'v1', '--instance', 'p', '--port', '5000']);
  const [v2] = podProcesses(pod([{ name: 'helloworld', image: 'istio/examples-helloworld-v2', env: [{ name: 'SERVICE_VERSION', value: 'v2-canary' }] }]), where);
  assert.deepEqual(v2?.argv.slice(3), ['--version', 'v2-canary', '--instance', 'p', '--port', '5000']);
});

void test('the redis image answers RESP on 6379 (or its declared TCP port)', () => {
  const [db] = podProcesses(pod([{ name: 'protected-db', image: 'redis:6.0.5-alpine' }]), where);
  assert.ok(db);
  assert.equal(script(db.argv), 'redisMain.ts');
  assert.deepEqual(db.argv.slice(3), ['p', '--port', '6379']);
  const [other] = podProcesses(pod([{ name: 'r', image: 'redis', ports: [{ containerPort: 7000 }] }]), where);
  assert.deepEqual(other?.argv.slice(3), ['p', '--port', '7000']);
});

void test('everything else keeps its behaviour: command, echo on declared ports, idle', () => {
  const [cmd, echo, idle, nginxCmd] = podProcesses(
    pod([
      { name: 'a', image: 'busybox', command: ['sleep'], args: ['5'] },
      { name: 'b', image: 'jmalloc/echo-server', ports: [{ containerPort: 8080 }] },
      { name: 'c', image: 'busybox' },
      { name: 'd', image: 'nginx', command: ['nginx', '-g', 'daemon off;'] },
    ]),
    where,
  );
  assert.deepEqual(cmd?.argv, ['sleep', '5']);
  assert.equal(script(echo?.argv ?? []), 'echoMain.ts');
  assert.deepEqual(echo?.argv.slice(-1), ['8080/TCP']);
  assert.deepEqual(idle?.argv, ['sleep', 'infinity']);
  assert.deepEqual(nginxCmd?.argv, ['nginx', '-g', 'daemon off;']);
});

void test('spec hash: unchanged for plain pods, sensitive to volumes, mounts and stand-ins', () => {
  const containers = [{ name: 'echo', ports: [{ containerPort: 8080, protocol: 'TCP' }] }];
  const before = createHash('sha256').update(JSON.stringify(containers)).digest('hex').slice(0, 16);
  assert.equal(podSpecHash(pod([{ ...containers[0], name: 'echo', image: 'jmalloc/echo-server' }])), before, 'the hash pods had before volumes existed');
  const withVolume = podSpecHash(pod([{ name: 'echo', ports: containers[0]?.ports, image: 'busybox' }], [{ name: 'v' }]));
  assert.notEqual(withVolume, before);
  assert.notEqual(podSpecHash(pod([{ name: 'echo', ports: containers[0]?.ports, image: 'nginx' }])), before);
  const cm = (items: string): RuntimePod => pod([{ name: 'w', image: 'nginx', volumeMounts: [{ name: 'h', mountPath: '/x' }] }], [{ name: 'h', configMap: { name: 'cm', items: [{ key: 'k', path: items }] } }]);
  assert.notEqual(podSpecHash(cm('a.html')), podSpecHash(cm('b.html')));
});
