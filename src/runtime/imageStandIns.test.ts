import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageRepository, imageStandIn } from './imageStandIns.ts';

void test('image references reduce to their repository', () => {
  const cases: [string, string][] = [
    ['nginx', 'nginx'],
    ['nginx:1.15.8', 'nginx'],
    ['docker.io/nginx:1.15.8', 'nginx'],
    ['docker.io/library/nginx@sha256:abc', 'nginx'],
    ['library/nginx:latest', 'nginx'],
    ['quay.io/cilium/json-mock:v1.3.3@sha256:f26044a2b8085fcaa8146b6b8bb73556134d7ec3d5782c6a04a058c945924ca0', 'cilium/json-mock'],
    ['localhost:5000/team/app:1', 'team/app'],
    ['jmalloc/echo-server', 'jmalloc/echo-server'],
  ];
  for (const [image, repo] of cases) assert.equal(imageRepository(image), repo, image);
});

void test('nginx, json-mock, helloworld and redis get stand-ins; other images do not', () => {
  for (const i of ['redis', 'redis:6.0.5-alpine', 'docker.io/library/redis:7']) assert.equal(imageStandIn(i), 'redis', i);
  for (const i of ['nginx', 'docker.io/nginx:1.15.8', 'library/nginx', 'NGINX:alpine']) assert.equal(imageStandIn(i), 'nginx', i);
  for (const i of ['quay.io/cilium/json-mock:v1.3.3@sha256:f26044a2', 'cilium/json-mock', 'json-mock']) assert.equal(imageStandIn(i), 'json-mock', i);
  for (const i of ['docker.io/istio/examples-helloworld-v1', 'istio/examples-helloworld-v2:1.0', 'examples-helloworld-v1']) assert.equal(imageStandIn(i), 'helloworld', i);
  for (const i of [undefined, '', 'istio/examples-bookinfo-ratings-v1', 'jmalloc/echo-server', 'busybox', 'bitnami/nginx', 'nginxinc/nginx-unprivileged', 'quay.io/nginx-ingress']) assert.equal(imageStandIn(i), undefined, String(i));
});
