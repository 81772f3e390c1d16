/**
 * Applies Weft's Kubernetes manifests (the CRDs in deploy/kubernetes/crds/
 * and the operator's RBAC) to a lab cluster with the admin kubeconfig,
 * through @kubernetes/client-node: server-side apply, field manager weft.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiException, KubeConfig, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import type { KubernetesObject } from '@kubernetes/client-node';
import { WeftError, ErrorCode, errorMessage } from '../errors.ts';
import { PROJECT_ROOT } from '../util/paths.ts';

export const KUBE_DEPLOY_DIR = path.join(PROJECT_ROOT, 'deploy', 'kubernetes');
export const OPERATOR_RBAC_FILE = path.join(KUBE_DEPLOY_DIR, 'operator-rbac.yaml');
export const CRD_DIR = path.join(KUBE_DEPLOY_DIR, 'crds');

/** The manifests lab up applies, CRDs first (sorted), then the operator's RBAC. */
export function labManifestFiles(crdDir = CRD_DIR, rbacFile = OPERATOR_RBAC_FILE): string[] {
  const crds = existsSync(crdDir)
    ? readdirSync(crdDir)
        .filter((f) => f.endsWith('.yaml'))
        .sort()
        .map((f) => path.join(crdDir, f))
    : [];
  return [...crds, rbacFile];
}

export function readManifests(file: string): KubernetesObject[] {
  let docs: unknown[];
  try {
    // Plain objects (not the client's typed models): every field is sent as written.
    docs = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => {
      if (d.errors.length > 0) throw d.errors[0] ?? new Error('YAML error');
      return d.toJS() as unknown;
    });
  } catch (err) {
    throw new WeftError(ErrorCode.InvalidInput, `cannot read manifests ${file}: ${errorMessage(err)}`, { cause: err });
  }
  return docs.filter((d): d is KubernetesObject => typeof d === 'object' && d !== null);
}

function describe(o: KubernetesObject): string {
  return `${o.kind ?? '?'} ${o.metadata?.namespace === undefined ? '' : `${o.metadata.namespace}/`}${o.metadata?.name ?? '?'}`;
}

/** The API server's own message (a Status' .message, at most 600 characters), else the error's. */
export function apiErrorMessage(err: unknown): string {
  if (err instanceof ApiException) {
    const body: unknown = typeof err.body === 'string' ? safeJson(err.body) : err.body;
    const msg = typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string' ? (body as { message: string }).message : String(err.body);
    return `HTTP ${err.code}: ${msg.length > 600 ? `${msg.slice(0, 600)}…` : msg}`;
  }
  return errorMessage(err);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Worth retrying while the API server starts: no answer, 404 (discovery not ready), 429, 5xx; not an invalid object. */
export function retryable(err: unknown): boolean {
  if (!(err instanceof ApiException)) return true;
  return err.code === 404 || err.code === 429 || err.code >= 500;
}

/** Server-side applies every object of the files; retries while the API server is still starting its controllers. Returns what was applied. */
export async function applyManifestFiles(kubeconfigFile: string, files: readonly string[], timeoutMs = 30_000): Promise<string[]> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigFile);
  const api = KubernetesObjectApi.makeApiClient(kc);
  const applied: string[] = [];
  for (const file of files) {
    for (const obj of readManifests(file)) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        try {
          await api.patch(obj, undefined, undefined, 'weft', true, PatchStrategy.ServerSideApply);
          applied.push(describe(obj));
          break;
        } catch (err) {
          if (!retryable(err) || Date.now() > deadline) {
            throw new WeftError(ErrorCode.CommandFailed, `applying ${describe(obj)} from ${file}: ${apiErrorMessage(err)}`, { cause: err });
          }
          await sleep(1000);
        }
      }
    }
  }
  return applied;
}
