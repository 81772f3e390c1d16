/**
 * One probe of etcd's `/health`: plain fetch over http, node:https with the
 * CA and a client certificate when etcd serves mTLS (clustermesh enable).
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import type { EtcdTls } from '../kvstore/etcd.ts';

export interface EtcdHealthBody {
  health?: string;
  reason?: string;
}

function httpsJson(url: string, tls: EtcdTls, timeoutMs: number): Promise<EtcdHealthBody> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { ca: readFileSync(tls.caFile), cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile), timeout: timeoutMs, ...(tls.serverName === undefined ? {} : { servername: tls.serverName }) },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          try {
            resolve(JSON.parse(body) as EtcdHealthBody);
          } catch {
            reject(new Error(`HTTP ${res.statusCode ?? '?'}: ${body.slice(0, 200)}`));
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export async function probeEtcdHealth(endpoint: string, tls: EtcdTls | undefined, timeoutMs = 1000): Promise<EtcdHealthBody> {
  if (tls === undefined) {
    const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    return (await res.json()) as EtcdHealthBody;
  }
  return httpsJson(`${endpoint}/health`, tls, timeoutMs);
}
