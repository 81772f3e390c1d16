/**
 * The operator's Kubernetes API access through @kubernetes/client-node's
 * KubeConfig (server, CA, client certificate or token): the kubeconfig
 * loaded and checked, and GET of a path as plain JSON (the wire form the
 * watch stream also delivers, so listed and watched objects look alike).
 */
import { existsSync } from 'node:fs';
import https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { WeftError, ErrorCode, errorMessage } from '../../errors.ts';
import { IN_CLUSTER, loadInClusterConfig } from '../../kube/inCluster.ts';

/** A kubeconfig file, or `in-cluster`: the pod's service account (deploy/kubernetes/). */
export function loadKubeConfig(file: string): KubeConfig {
  if (file === IN_CLUSTER) return loadInClusterConfig();
  if (!existsSync(file)) throw new WeftError(ErrorCode.NotFound, `kubeconfig ${file} not found`);
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(file);
  } catch (err) {
    throw new WeftError(ErrorCode.InvalidInput, `kubeconfig ${file} is not a valid kubeconfig: ${errorMessage(err)}`, { cause: err });
  }
  const server = kc.getCurrentCluster()?.server;
  if (server === undefined || server === '') throw new WeftError(ErrorCode.InvalidInput, `kubeconfig ${file}: its current context "${kc.getCurrentContext()}" names no cluster with a server`);
  return kc;
}

function codeFor(status: number): ErrorCode {
  if (status === 404) return ErrorCode.NotFound;
  if (status === 401 || status === 403) return ErrorCode.PermissionDenied;
  if (status === 409 || status === 410) return ErrorCode.Conflict;
  return ErrorCode.CommandFailed;
}

/** GET `path` (e.g. /api/v1/services) on the current cluster; WeftError with details.statusCode when the answer is not 2xx. */
export async function getJson(kc: KubeConfig, path: string, timeoutMs = 30_000): Promise<unknown> {
  const server = kc.getCurrentCluster()?.server ?? '';
  const url = new URL(server.replace(/\/$/, '') + path);
  const opts: https.RequestOptions = { method: 'GET', headers: { Accept: 'application/json' } };
  await kc.applyToHTTPSOptions(opts);
  return new Promise((resolve, reject) => {
    const req = https.request(url, { ...opts, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status < 200 || status > 299) {
          let message = text.slice(0, 300);
          try {
            const m = (JSON.parse(text) as { message?: unknown }).message;
            if (typeof m === 'string') message = m;
          } catch {
            /* not JSON: the text is the message */
          }
          reject(new WeftError(codeFor(status), `GET ${url.href}: HTTP ${status}: ${message}`, { details: { statusCode: status } }));
          return;
        }
        try {
          resolve(JSON.parse(text));
        } catch (err) {
          reject(new WeftError(ErrorCode.CommandFailed, `GET ${url.href}: the answer is not JSON: ${errorMessage(err)}`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new WeftError(ErrorCode.Timeout, `GET ${url.href}: no answer within ${timeoutMs} ms`)));
    req.on('error', (err) => reject(err instanceof WeftError ? err : new WeftError(ErrorCode.CommandFailed, `GET ${url.href}: ${errorMessage(err)}`, { cause: err })));
    req.end();
  });
}
