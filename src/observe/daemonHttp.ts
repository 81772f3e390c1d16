/**
 * The HTTP port every daemon serves (agent :9962, operator :9963, Cilium's
 * ports): `/healthz` always, and whatever routes the daemon adds (`/metrics`,
 * `/v1/flows`). GET only; a route answers with a status, a content type and a
 * body. The thin effect around pure route handlers.
 */
import http from 'node:http';
import { WeftError, ErrorCode, errorMessage } from '../errors.ts';
import type { Logger } from '../util/log.ts';

export const AGENT_HTTP_PORT = 9962;
export const OPERATOR_HTTP_PORT = 9963;

export interface RouteAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** A route: the request's URL (path and query) → its answer. */
export type Route = (url: URL) => RouteAnswer | Promise<RouteAnswer>;

export interface DaemonHttp {
  readonly port: number;
  /** Adds (or replaces) the handler of one path. */
  route(path: string, handler: Route): void;
  close(): Promise<void>;
}

export function jsonAnswer(value: unknown, status = 200): RouteAnswer {
  return { status, contentType: 'application/json', body: `${JSON.stringify(value)}\n` };
}

export interface DaemonHttpOptions {
  /** host:port; port 0 picks a free one. */
  listen: string;
  component: string;
  logger: Logger;
}

/** Splits `host:port` (IPv4 or a name); errors name the value. */
export function parseListen(listen: string): { host: string; port: number } {
  const m = /^([^:\s]*):(\d{1,5})$/.exec(listen);
  const port = Number(m?.[2]);
  if (m === null || !Number.isInteger(port) || port > 65535) throw new WeftError(ErrorCode.InvalidInput, `listen address ${JSON.stringify(listen)} is not host:port`);
  return { host: m[1] === '' ? '0.0.0.0' : (m[1] ?? ''), port };
}

export async function startDaemonHttp(opts: DaemonHttpOptions): Promise<DaemonHttp> {
  const since = new Date().toISOString();
  const routes = new Map<string, Route>([['/healthz', () => jsonAnswer({ status: 'ok', component: opts.component, pid: process.pid, since })]]);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://daemon');
    const handler = req.method === 'GET' ? routes.get(url.pathname) : undefined;
    const send = (a: RouteAnswer): void => {
      res.writeHead(a.status, { 'content-type': a.contentType, 'cache-control': 'no-store' });
      res.end(a.body);
    };
    if (handler === undefined) {
      send(jsonAnswer({ error: req.method === 'GET' ? `no route ${url.pathname}; routes: ${[...routes.keys()].sort().join(', ')}` : `method ${req.method ?? ''} not allowed` }, req.method === 'GET' ? 404 : 405));
      return;
    }
    Promise.resolve()
      .then(() => handler(url))
      .then(send, (err: unknown) => {
        opts.logger.warn('http route failed', { path: url.pathname, error: errorMessage(err) });
        send(jsonAnswer({ error: errorMessage(err) }, 500));
      });
  });
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  const { host, port } = parseListen(opts.listen);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  const bound = typeof addr === 'object' && addr !== null ? addr.port : port;
  opts.logger.info('http listening', { host, port: bound, component: opts.component });
  return {
    port: bound,
    route: (path, handler) => routes.set(path, handler),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
