/**
 * Applies Weft's Kubernetes manifests (the CRDs in deploy/kubernetes/crds/
 * and the operator's RBAC) to a lab cluster with the admin kubeconfig,
 * through @kubernetes/client-node: server-side apply, field manager weft.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeConfig, KubernetesObjectApi, PatchStrategy, loadAllYaml } from '@kubernetes/client-node';
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
    docs = loadAllYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new WeftError(ErrorCode.InvalidInput, `cannot read manifests ${file}: ${errorMessage(err)}`, { cause: err });
  }
  return docs.filter((d): d is KubernetesObject => typeof d === 'object' && d !== null);
}

function describe(o: KubernetesObject): string {
  return `${o.kind ?? '?'} ${o.metadata?.namespace === undefined ? '' : `${o.metadata.namespace}/`}${o.metadata?.name ?? '?'}`;
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
          if (Date.now() > deadline) {
            throw new WeftError(ErrorCode.CommandFailed, `applying ${describe(obj)} from ${file}: ${errorMessage(err)}`, { cause: err });
          }
          await sleep(1000);
        }
      }
    }
  }
  return applied;
}
