/**
 * The control plane's health endpoints (thin I/O): GET /healthz over TLS
 * (the API server's verified against the cluster's Kubernetes CA; the
 * controller manager's and scheduler's self-signed serving certificates are
 * not verified), expecting 200 "ok". Anonymous requests may read /healthz.
 */
import { request } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { WeftError, ErrorCode, errorMessage } from '../errors.ts';

export interface TlsProbe {
  ok: boolean;
  /** '' when ok; else what went wrong, naming the URL. */
  error: string;
}

/** A client certificate: /healthz/etcd and the other per-check paths are not public (system:public-info-viewer reads /healthz only). */
export interface ClientPem {
  certPem: string;
  keyPem: string;
}

export function probeTlsHealthz(url: string, caPem: string | undefined, timeoutMs = 2000, client?: ClientPem): Promise<TlsProbe> {
  return new Promise((resolve) => {
    const tls = {
      ...(caPem === undefined ? { rejectUnauthorized: false } : { ca: caPem }),
      ...(client === undefined ? {} : { cert: client.certPem, key: client.keyPem }),
    };
    const req = request(url, { ...tls, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        if (res.statusCode === 200 && body.trim() === 'ok') resolve({ ok: true, error: '' });
        else resolve({ ok: false, error: `${url}: HTTP ${res.statusCode ?? '?'} ${body.trim().split('\n').slice(-3).join(' ').slice(0, 300)}` });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err) => resolve({ ok: false, error: `${url}: ${errorMessage(err)}` }));
    req.end();
  });
}

/** Polls url until it answers ok; check() throws to stop early (a process died). */
export async function waitTlsHealthy(url: string, caPem: string | undefined, timeoutMs: number, check: () => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    check();
    const r = await probeTlsHealthz(url, caPem);
    if (r.ok) return;
    last = r.error;
    await sleep(500);
  }
  throw new WeftError(ErrorCode.Timeout, `${url} not healthy after ${timeoutMs} ms: ${last}`);
}
