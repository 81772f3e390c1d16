/**
 * The kubeconfigs of a `--kubernetes` lab cluster (I/O): one per component
 * and node in `<lab>/<cluster>/kube/`, the cluster's admin context in the
 * lab's `${weftHome()}/kubeconfig`, merged into the user's kubeconfig as kind
 * does; lab down removes exactly those entries again.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { entriesOf, kubeconfigEntries, singleKubeconfig } from '../kube/kubeconfig.ts';
import type { KubeconfigEntries } from '../kube/kubeconfig.ts';
import { mergeIntoFile, readKubeconfig, removeFromFile, writeKubeconfig } from '../kube/kubeconfigFile.ts';
import type { KubeLayout } from '../kube/layout.ts';
import { nodeUser, OPERATOR_USER } from '../kube/pki.ts';
import type { PemPair } from '../pki/files.ts';
import { weftHome } from '../util/paths.ts';
import type { Progress } from './progress.ts';
import type { LabKubernetesState } from './state.ts';

export function labKubeconfigPath(): string {
  return path.join(weftHome(), 'kubeconfig');
}

/** The user of the lab cluster's admin context in the user's kubeconfig. */
export function adminUserName(cluster: string): string {
  return `${cluster}-admin`;
}

function entries(cluster: string, server: string, caPem: string, user: string, pair: PemPair): KubeconfigEntries {
  return kubeconfigEntries({ name: cluster, user, server, caPem, certPem: readFileSync(pair.certFile, 'utf8'), keyPem: readFileSync(pair.keyFile, 'utf8') });
}

/** Writes every component's and node's kubeconfig; returns the admin entries (for the lab's and the user's kubeconfig). */
export function writeComponentKubeconfigs(cluster: string, server: string, l: KubeLayout): KubeconfigEntries {
  const caPem = readFileSync(l.ca.certFile, 'utf8');
  const write = (file: string, user: string, pair: PemPair): KubeconfigEntries => {
    const e = entries(cluster, server, caPem, user, pair);
    writeKubeconfig(file, singleKubeconfig(e));
    return e;
  };
  write(l.kubeconfigs.controllerManager, 'system:kube-controller-manager', l.controllerManager);
  write(l.kubeconfigs.scheduler, 'system:kube-scheduler', l.scheduler);
  write(l.kubeconfigs.operator, OPERATOR_USER, l.operator);
  for (const [node, f] of Object.entries(l.nodes)) write(f.kubeconfig, nodeUser(node), f.client);
  write(l.kubeconfigs.admin, adminUserName(cluster), l.admin);
  return entries(cluster, server, caPem, adminUserName(cluster), l.admin);
}

/** Merges the admin context into the lab's kubeconfig, then into the user's. */
export function mergeLabKubeconfig(admin: KubeconfigEntries, k: LabKubernetesState): void {
  mergeIntoFile(k.kubeconfig, admin);
  mergeIntoFile(k.userKubeconfig, admin);
}

/** Removes the cluster's entries from the user's kubeconfig (exactly those merged) and from the lab's; the lab's file goes with its last context. */
export function removeLabKubeconfig(cluster: string, k: LabKubernetesState, progress: Progress): void {
  if (!existsSync(k.kubeconfig)) return;
  const ours = entriesOf(readKubeconfig(k.kubeconfig), cluster, k.kubeconfig);
  if (ours === undefined) return;
  const removed = removeFromFile(k.userKubeconfig, ours);
  if (removed.length > 0) progress.ok(`Removed ${removed.join(', ')} from ${k.userKubeconfig}`);
  removeFromFile(k.kubeconfig, ours);
  const left = readKubeconfig(k.kubeconfig)['contexts'];
  if (!Array.isArray(left) || left.length === 0) rmSync(k.kubeconfig, { force: true });
}
