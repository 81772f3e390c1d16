/**
 * The stand-in for Istio's helloworld sample images
 * (`docker.io/istio/examples-helloworld-v1`, `-v2`): an HTTP server that
 * answers `GET /hello` with `Hello version: <version>, instance: <pod>`,
 * `GET /health` with `Helloworld is healthy`, anything else 404 — what the
 * sample's app answers. The answer is a pure function; the server is thin.
 */
import http from 'node:http';
import { closeHttpServers } from './httpServers.ts';

export interface HelloworldIdentity {
  /** v1, v2, … (the image's version, or SERVICE_VERSION). */
  readonly version: string;
  /** The pod's name (the sample prints its hostname, which is the pod name). */
  readonly instance: string;
}

export interface HelloworldAnswer {
  readonly status: number;
  readonly body: string;
}

export function helloworldAnswer(id: HelloworldIdentity, method: string, url: string): HelloworldAnswer {
  const path = url.split('?')[0] ?? url;
  if (method !== 'GET' && method !== 'HEAD') return { status: 405, body: 'Method Not Allowed\n' };
  if (path === '/hello') return { status: 200, body: `Hello version: ${id.version}, instance: ${id.instance}\n` };
  if (path === '/health') return { status: 200, body: 'Helloworld is healthy' };
  return { status: 404, body: 'Not Found\n' };
}

/**
 * The version an image reference names: the repository's `-v<N>` suffix
 * (`istio/examples-helloworld-v2` → v2); `SERVICE_VERSION` wins when set, as in the sample.
 */
export function helloworldVersion(repository: string, serviceVersion: string | undefined): string {
  if (serviceVersion !== undefined && serviceVersion !== '') return serviceVersion;
  return /-(v\d+)$/.exec(repository)?.[1] ?? 'v1';
}

export interface RunningHelloworld {
  readonly ports: readonly number[];
  close(): Promise<void>;
}

export async function startHelloworld(id: HelloworldIdentity, ports: readonly number[], host = '0.0.0.0'): Promise<RunningHelloworld> {
  const servers: http.Server[] = [];
  for (const port of ports) {
    const server = http.createServer((req, res) => {
      const answer = helloworldAnswer(id, req.method ?? 'GET', req.url ?? '/');
      res.writeHead(answer.status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(answer.body) });
      res.end(req.method === 'HEAD' ? undefined : answer.body);
    });
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    servers.push(server);
  }
  const bound = servers.map((s) => {
    const a = s.address();
    return typeof a === 'object' && a !== null ? a.port : 0;
  });
  return {
    ports: bound,
    close: () => closeHttpServers(servers),
  };
}
