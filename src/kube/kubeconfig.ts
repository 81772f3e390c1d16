/**
 * Kubeconfigs (pure): one cluster/user/context with embedded certificates,
 * and merging a lab cluster's entries into a user's kubeconfig the way kind
 * does (entries of the same name replaced, current-context set) and removing
 * exactly those entries again (current-context cleared when it was ours).
 * A kubeconfig is handled as a plain parsed document so fields Weft does not
 * know (preferences, extensions, exec users…) survive untouched.
 */
import { WeftError, ErrorCode } from '../errors.ts';

export interface NamedCluster {
  name: string;
  cluster: { server: string; 'certificate-authority-data': string } & Record<string, unknown>;
}
export interface NamedUser {
  name: string;
  user: Record<string, unknown>;
}
export interface NamedContext {
  name: string;
  context: { cluster: string; user: string } & Record<string, unknown>;
}

/** One cluster's entries: what lab up merges and lab down removes. */
export interface KubeconfigEntries {
  cluster: NamedCluster;
  user: NamedUser;
  context: NamedContext;
}

export type KubeconfigDoc = Record<string, unknown>;

function b64(pem: string): string {
  return Buffer.from(pem, 'utf8').toString('base64');
}

export interface EntriesInput {
  /** Cluster and context name. */
  name: string;
  user: string;
  server: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}

export function kubeconfigEntries(i: EntriesInput): KubeconfigEntries {
  return {
    cluster: { name: i.name, cluster: { server: i.server, 'certificate-authority-data': b64(i.caPem) } },
    user: { name: i.user, user: { 'client-certificate-data': b64(i.certPem), 'client-key-data': b64(i.keyPem) } },
    context: { name: i.name, context: { cluster: i.name, user: i.user } },
  };
}

export function emptyKubeconfig(): KubeconfigDoc {
  return { apiVersion: 'v1', kind: 'Config', preferences: {}, clusters: [], users: [], contexts: [], 'current-context': '' };
}

/** A kubeconfig holding one cluster's entries, that context current. */
export function singleKubeconfig(e: KubeconfigEntries): KubeconfigDoc {
  return mergeEntries(emptyKubeconfig(), e);
}

function namedList(doc: KubeconfigDoc, key: 'clusters' | 'users' | 'contexts', where: string): Record<string, unknown>[] {
  const v = doc[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new WeftError(ErrorCode.InvalidInput, `kubeconfig ${where}: "${key}" is not a list`);
  return v as Record<string, unknown>[];
}

function upsert(list: readonly Record<string, unknown>[], entry: { name: string }): Record<string, unknown>[] {
  const i = list.findIndex((x) => x['name'] === entry.name);
  if (i < 0) return [...list, { ...entry }];
  return list.map((x, j) => (j === i ? { ...entry } : x));
}

/** The document with the entries added or replaced (same names) and their context current, as kind does. */
export function mergeEntries(doc: KubeconfigDoc, e: KubeconfigEntries, where = '(in memory)'): KubeconfigDoc {
  return {
    ...doc,
    apiVersion: doc['apiVersion'] ?? 'v1',
    kind: doc['kind'] ?? 'Config',
    clusters: upsert(namedList(doc, 'clusters', where), e.cluster),
    users: upsert(namedList(doc, 'users', where), e.user),
    contexts: upsert(namedList(doc, 'contexts', where), e.context),
    'current-context': e.context.name,
  };
}

function sub(x: Record<string, unknown>, key: string): Record<string, unknown> {
  const v = x[key];
  return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
}

export interface RemovedEntries {
  doc: KubeconfigDoc;
  removed: string[];
}

/**
 * The document without the lab cluster's entries: the context only when it
 * still joins that cluster and user, the cluster only when it still points at
 * that server, the user only when it is the one merged (same certificate).
 * Anything else of the same name was changed by the user: left in place.
 */
export function removeEntries(doc: KubeconfigDoc, e: KubeconfigEntries, where = '(in memory)'): RemovedEntries {
  const removed: string[] = [];
  const contexts = namedList(doc, 'contexts', where).filter((x) => {
    const c = sub(x, 'context');
    const ours = x['name'] === e.context.name && c['cluster'] === e.context.context.cluster && c['user'] === e.context.context.user;
    if (ours) removed.push(`context ${e.context.name}`);
    return !ours;
  });
  const clusters = namedList(doc, 'clusters', where).filter((x) => {
    const ours = x['name'] === e.cluster.name && sub(x, 'cluster')['server'] === e.cluster.cluster.server;
    if (ours) removed.push(`cluster ${e.cluster.name}`);
    return !ours;
  });
  const users = namedList(doc, 'users', where).filter((x) => {
    const ours = x['name'] === e.user.name && sub(x, 'user')['client-certificate-data'] === e.user.user['client-certificate-data'];
    if (ours) removed.push(`user ${e.user.name}`);
    return !ours;
  });
  const out: KubeconfigDoc = { ...doc, clusters, users, contexts };
  if (doc['current-context'] === e.context.name && removed.includes(`context ${e.context.name}`)) out['current-context'] = '';
  return { doc: out, removed };
}

/** The entries of a context in a document (to remove exactly what was merged), or undefined. */
export function entriesOf(doc: KubeconfigDoc, context: string, where = '(in memory)'): KubeconfigEntries | undefined {
  const ctx = namedList(doc, 'contexts', where).find((x) => x['name'] === context);
  if (ctx === undefined) return undefined;
  const c = sub(ctx, 'context');
  const cluster = namedList(doc, 'clusters', where).find((x) => x['name'] === c['cluster']);
  const user = namedList(doc, 'users', where).find((x) => x['name'] === c['user']);
  if (cluster === undefined || user === undefined) return undefined;
  return { cluster: cluster as unknown as NamedCluster, user: user as unknown as NamedUser, context: ctx as unknown as NamedContext };
}
