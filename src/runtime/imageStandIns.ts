/**
 * Images cannot run here, but a few images the seeds use get a built-in
 * stand-in that answers like the image would (pure):
 * - nginx (`nginx`, `nginx:1.15.8`, `docker.io/nginx:1.15.8`,
 *   `docker.io/library/nginx@sha256:…`): a static file server on port 80
 *   serving /usr/share/nginx/html, like nginx's default site;
 * - cilium's json-mock (`quay.io/cilium/json-mock:v1.3.3@sha256:…`): an HTTP
 *   server on port 80 — Weft's echo server;
 * - Istio's helloworld sample (`docker.io/istio/examples-helloworld-v1`,
 *   `-v2`): `GET /hello` on port 5000 answers `Hello version: v1, instance:
 *   <pod>` (helloworldServer.ts);
 * - redis (`redis`, `redis:6.0.5-alpine`, …): a RESP server on 6379 that
 *   answers PING with PONG and keeps GET/SET in memory (redisServer.ts) —
 *   what seed 003 probes protected-db with.
 */
export type ImageStandIn = 'nginx' | 'json-mock' | 'helloworld' | 'redis';

/** The port the redis stand-in listens on when the container declares none (redis's). */
export const REDIS_DEFAULT_PORT = 6379;

/** The port the helloworld stand-in listens on when the container declares none (the sample's). */
export const HELLOWORLD_DEFAULT_PORT = 5000;

/** The port both stand-ins listen on when the container declares none. */
export const STAND_IN_DEFAULT_PORT = 80;

/** nginx's default document root. */
export const NGINX_HTML_ROOT = '/usr/share/nginx/html';

/**
 * The repository path of an image reference, without registry, tag, digest
 * and Docker Hub's `library/`: `docker.io/nginx:1.15.8` → `nginx`,
 * `quay.io/cilium/json-mock:v1.3.3@sha256:…` → `cilium/json-mock`,
 * `localhost:5000/team/app` → `team/app`.
 */
export function imageRepository(image: string): string {
  let ref = image.trim().toLowerCase();
  const at = ref.indexOf('@');
  if (at >= 0) ref = ref.slice(0, at);
  const parts = ref.split('/');
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) parts.shift();
  const last = parts.pop() ?? '';
  const colon = last.indexOf(':');
  parts.push(colon >= 0 ? last.slice(0, colon) : last);
  if (parts.length === 2 && parts[0] === 'library') parts.shift();
  return parts.join('/');
}

/** The stand-in an image gets, or undefined (today's behaviour: command, echo on declared ports, or idle). */
export function imageStandIn(image: string | undefined): ImageStandIn | undefined {
  if (image === undefined || image === '') return undefined;
  const repo = imageRepository(image);
  if (repo === 'nginx') return 'nginx';
  if (repo === 'json-mock' || repo.endsWith('/json-mock')) return 'json-mock';
  if (/^(istio\/)?examples-helloworld-v\d+$/.test(repo)) return 'helloworld';
  if (repo === 'redis' || repo === 'bitnami/redis') return 'redis';
  return undefined;
}
