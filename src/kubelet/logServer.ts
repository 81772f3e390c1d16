/**
 * The kubelet API the API server calls for `kubectl logs`: HTTPS on
 * <node ip>:10250, client certificates verified against --kubelet-client-ca
 * (only the API server holds one). GET /containerLogs/{ns}/{pod}/{container}
 * answers the pod's log (the runtime keeps one log per pod, every container
 * writing to it); follow streams what is appended until the client goes or
 * the pod's log is removed.
 */
import { readFileSync, statSync, openSync, readSync, closeSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { errorMessage, isWeftError } from '../errors.ts';
import type { Logger } from '../util/log.ts';
import { parseLogRequest, tailLines, withTimestamps, type LogRequest } from './logRoute.ts';
import type { KubeletServerTls } from './options.ts';

export interface LogLookup {
  /** The pod's log file, or an error message (404) when the pod or container is not here. */
  logFile(namespace: string, pod: string, container: string): { file: string } | { notFound: string };
}

const FOLLOW_POLL_MS = 250;

function readFrom(file: string, offset: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const size = statSync(file).size;
    if (size <= offset) return Buffer.alloc(0);
    const buf = Buffer.alloc(size - offset);
    const n = readSync(fd, buf, 0, buf.length, offset);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

function sizeOf(file: string): number | undefined {
  try {
    return statSync(file).size;
  } catch {
    return undefined;
  }
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(body);
}

function serveLog(req: IncomingMessage, res: ServerResponse, r: LogRequest, file: string): void {
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch {
    content = '';
  }
  let out = tailLines(content, r.tailLines);
  if (r.timestamps) out = withTimestamps(out, new Date());
  if (r.limitBytes !== undefined) out = Buffer.from(out).subarray(0, r.limitBytes).toString('utf8');
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', ...(r.follow ? { 'transfer-encoding': 'chunked' } : {}) });
  if (!r.follow) {
    res.end(out);
    return;
  }
  res.write(out);
  let offset = Buffer.byteLength(content);
  const timer = setInterval(() => {
    const size = sizeOf(file);
    if (size === undefined) {
      clearInterval(timer);
      res.end();
      return;
    }
    if (size < offset) offset = 0; // the log was started anew
    const chunk = readFrom(file, offset);
    if (chunk.length === 0) return;
    offset += chunk.length;
    res.write(r.timestamps ? withTimestamps(chunk.toString('utf8'), new Date()) : chunk);
  }, FOLLOW_POLL_MS);
  const done = (): void => clearInterval(timer);
  req.on('close', done);
  res.on('close', done);
}

/** The request handler (also used over plain HTTP by the tests). */
export function kubeletHandler(lookup: LogLookup, logger: Logger): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'https://kubelet');
      if (url.pathname === '/healthz') {
        text(res, 200, 'ok');
        return;
      }
      const r = parseLogRequest(url);
      if (r === undefined) {
        text(res, 404, `not found: ${url.pathname} (this kubelet serves /containerLogs/{namespace}/{pod}/{container} and /healthz; exec, attach and port-forward are not supported: use weft exec)`);
        return;
      }
      if (req.method !== 'GET') {
        text(res, 405, `method ${req.method ?? ''} not allowed`);
        return;
      }
      const found = lookup.logFile(r.namespace, r.pod, r.container);
      if ('notFound' in found) {
        text(res, 404, found.notFound);
        return;
      }
      serveLog(req, res, r, found.file);
    } catch (err) {
      if (isWeftError(err)) text(res, 400, err.message);
      else {
        logger.error('kubelet API request failed', { url: req.url, err: errorMessage(err) });
        text(res, 500, errorMessage(err));
      }
    }
  };
}

export interface KubeletServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startKubeletServer(opts: { host: string; port: number; tls: KubeletServerTls; lookup: LogLookup; logger: Logger }): Promise<KubeletServer> {
  const server = https.createServer(
    {
      cert: readFileSync(opts.tls.certFile),
      key: readFileSync(opts.tls.keyFile),
      ca: readFileSync(opts.tls.clientCaFile),
      requestCert: true,
      rejectUnauthorized: true,
    },
    kubeletHandler(opts.lookup, opts.logger),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
