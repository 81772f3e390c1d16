/**
 * `weft clustermesh enable` for a lab cluster: mesh CA and certificates,
 * etcd users and roles (while etcd is still plain http), etcd restarted with
 * https + client-certificate auth, auth enabled, the context switched to the
 * admin certificate, then the operator and every agent restarted with their
 * client certificates. Pods keep running (agents adopt them). Every step is
 * idempotent; a finished enable is detected and changes nothing.
 */
import path from 'node:path';
import { WeftError, ErrorCode } from '../errors.ts';
import type { KvBackend } from '../kvstore/backend.ts';
import { createEtcdKv } from '../kvstore/etcd.ts';
import type { EtcdTls } from '../kvstore/etcd.ts';
import { saveContext } from '../cli/contexts.ts';
import { withFileLock } from '../lab/lock.ts';
import { restartWithArgv } from '../lab/processControl.ts';
import type { Progress } from '../lab/progress.ts';
import { setClusterMesh } from '../lab/store.ts';
import { certFingerprint } from '../pki/ca.ts';
import { ensureClusterCerts } from '../pki/clusterCerts.ts';
import { caFiles, clusterPkiDir, ensurePkiDir, pemPair, writeCa } from '../pki/files.ts';
import { isAlive } from '../util/proc.ts';
import { etcdAuthPlan } from './etcdAuth.ts';
import { reconcileEtcdAuth } from './etcdAuthApply.ts';
import { createEtcdAuthApi } from './etcdAuthClient.ts';
import { resolveMeshCa } from './enableCa.ts';
import type { CaChoice, ResolvedCa } from './enableCa.ts';
import { etcdClientUrl, etcdServesMtls, flagValue, tlsClientArgv, tlsEtcdArgv } from './enablePlan.ts';
import { enableTarget, isMeshEnabled } from './enableTarget.ts';
import type { EnableTarget, ProcessRef } from './enableTarget.ts';
import { nodeRevisions, waitNodesReregistered } from './enableNodes.ts';

export interface EnableOptions {
  /** --context (undefined: the current context). */
  context: string | undefined;
  ca: CaChoice;
  progress: Progress;
  nodesTimeoutMs?: number;
}

export interface EnableResult {
  cluster: string;
  context: string;
  alreadyEnabled: boolean;
  endpoint: string;
  pkiDir: string;
  ca: { source: ResolvedCa['source']; from: string; fingerprint: string };
  certificates: { name: string; certFile: string; keyFile: string; action: string }[];
  authChanges: string[];
  restarted: string[];
}

function tlsFor(pkiDir: string, name: string): EtcdTls {
  return { caFile: caFiles(pkiDir).certFile, ...pemPair(pkiDir, name) };
}

/** Restarts the process with argv unless it already runs with exactly that argv. */
async function ensureRunningWith(t: EnableTarget, ref: ProcessRef, argv: string[], progress: Progress, health?: { endpoint: string; tls: EtcdTls }): Promise<boolean> {
  const what = `${ref.proc} on ${t.cluster.name}/${ref.host}`;
  if (ref.alive && ref.argv.length === argv.length && ref.argv.every((a, i) => a === argv[i])) {
    progress.info(`${what} already uses mTLS`);
    return false;
  }
  await restartWithArgv(t.cluster.name, ref.host, ref.proc, argv, progress, health);
  return true;
}

function caLine(ca: ResolvedCa, dir: string): string {
  switch (ca.source) {
    case 'created':
      return `Mesh CA created in ${dir} (SHA-256 ${ca.fingerprint})`;
    case 'inherited':
      return `Mesh CA inherited from context ${ca.from} into ${dir} (SHA-256 ${ca.fingerprint})`;
    case 'existing':
      return `Mesh CA of ${dir} kept (SHA-256 ${ca.fingerprint})`;
  }
}

async function configureAuth(t: EnableTarget, pkiDir: string, progress: Progress): Promise<string[]> {
  // Users and roles go in while etcd still speaks plain http (or, when a previous run got further, over mTLS as admin).
  const mtls = etcdServesMtls(t.etcd.argv);
  const endpoint = mtls ? etcdClientUrl(t.etcd.argv) : (flagValue(t.etcd.argv, '--advertise-client-urls')?.split(',')[0] ?? t.cluster.endpoint);
  const api = createEtcdAuthApi({ endpoints: [endpoint], ...(mtls ? { tls: tlsFor(pkiDir, 'admin') } : {}) });
  try {
    const changes = await reconcileEtcdAuth(api, etcdAuthPlan(t.cluster.name));
    progress.ok(changes.length === 0 ? 'etcd users and roles already in place' : `etcd users and roles: ${changes.length} change(s) (admin → root; operator, node → readwrite weft/; remote → read-only exported state)`);
    for (const c of changes) progress.info(c);
    return changes;
  } finally {
    await api.close();
  }
}

async function enableAuth(endpoint: string, pkiDir: string, progress: Progress): Promise<void> {
  const api = createEtcdAuthApi({ endpoints: [endpoint], tls: tlsFor(pkiDir, 'admin') });
  try {
    await api.enableAuth();
  } finally {
    await api.close();
  }
  progress.ok('etcd auth enabled (RBAC; the client certificate CN is the user)');
}

async function restartClients(t: EnableTarget, pkiDir: string, endpoint: string, progress: Progress, timeoutMs: number): Promise<string[]> {
  const restarted: string[] = [];
  if (await ensureRunningWith(t, t.operator, tlsClientArgv(t.operator.argv, tlsFor(pkiDir, 'operator')), progress)) restarted.push(`operator on ${t.operator.host}`);
  const kv: KvBackend = createEtcdKv({ endpoints: [endpoint], tls: tlsFor(pkiDir, 'admin') });
  try {
    const before = await nodeRevisions(kv, t.cluster.name);
    const moved: string[] = [];
    for (const a of t.agents) {
      if (await ensureRunningWith(t, a, tlsClientArgv(a.argv, tlsFor(pkiDir, 'node')), progress)) {
        restarted.push(`agent on ${a.host}`);
        moved.push(a.host);
      }
    }
    if (moved.length > 0) {
      const t0 = Date.now();
      await waitNodesReregistered(kv, t.cluster.name, moved, before, timeoutMs);
      progress.ok(`Agents re-registered over mTLS, nodes ready (${((Date.now() - t0) / 1000).toFixed(1)} s): ${moved.join(', ')}`);
    }
  } finally {
    await kv.close();
  }
  return restarted;
}

async function runEnable(t: EnableTarget, opts: EnableOptions): Promise<EnableResult> {
  const { progress } = opts;
  const name = t.cluster.name;
  const cpIp = t.cluster.cpIp;
  const dir = clusterPkiDir(name);
  const ca = await resolveMeshCa(name, opts.ca);
  const base = { cluster: name, context: t.ctx.name, pkiDir: dir, ca: { source: ca.source, from: ca.from, fingerprint: ca.fingerprint } };

  if (isMeshEnabled(t)) {
    progress.ok(`ClusterMesh is already enabled on ${name}: etcd ${t.ctx.endpoints.join(',')} (mTLS + RBAC), CA SHA-256 ${ca.fingerprint}; nothing changed`);
    return { ...base, alreadyEnabled: true, endpoint: t.ctx.endpoints[0] ?? '', certificates: [], authChanges: [], restarted: [] };
  }

  ensurePkiDir(dir);
  if (ca.source !== 'existing') writeCa(dir, ca.ca);
  progress.ok(caLine(ca, dir));
  const certs = await ensureClusterCerts(dir, ca.ca, cpIp);
  const issued = certs.filter((c) => c.action !== 'kept').map((c) => c.name);
  progress.ok(
    issued.length === 0
      ? `Certificates in ${dir} already fit`
      : `Certificates issued in ${dir}: ${issued.join(', ')} (etcd-server for ${cpIp}, 127.0.0.1, localhost; keys 0600)`,
  );

  const authChanges = await configureAuth(t, dir, progress);

  const restarted: string[] = [];
  const etcdArgv = tlsEtcdArgv(t.etcd.argv, tlsFor(dir, 'etcd-server'));
  const endpoint = etcdClientUrl(etcdArgv);
  if (await ensureRunningWith(t, t.etcd, etcdArgv, progress, { endpoint, tls: tlsFor(dir, 'admin') })) restarted.push(`etcd on ${t.etcd.host}`);
  await setClusterMesh(name, { enabled: false, pkiDir: dir }, endpoint);
  progress.ok(`etcd serves ${flagValue(etcdArgv, '--listen-client-urls') ?? endpoint} only, with client-certificate auth against the mesh CA`);

  await enableAuth(endpoint, dir, progress);

  const admin = tlsFor(dir, 'admin');
  saveContext({ name: t.ctx.name, cluster: t.ctx.cluster, endpoints: [endpoint], tls: { caFile: admin.caFile, certFile: admin.certFile, keyFile: admin.keyFile } }, false);
  progress.ok(`Context ${t.ctx.name} now uses ${endpoint} with the admin certificate`);

  restarted.push(...(await restartClients(t, dir, endpoint, progress, opts.nodesTimeoutMs ?? 90_000)));

  await setClusterMesh(name, { enabled: true, pkiDir: dir }, endpoint);
  progress.ok(`ClusterMesh enabled on ${name} (CA SHA-256 ${certFingerprint(ca.ca.certPem)})`);
  return {
    ...base,
    alreadyEnabled: false,
    endpoint,
    certificates: certs.map((c) => ({ name: c.name, certFile: c.files.certFile, keyFile: c.files.keyFile, action: c.action })),
    authChanges,
    restarted,
  };
}

export async function enableClusterMesh(opts: EnableOptions): Promise<EnableResult> {
  if (process.getuid?.() !== 0) throw new WeftError(ErrorCode.NotRoot, '`weft clustermesh enable` needs root (it restarts lab processes in their network namespaces)');
  const first = enableTarget(opts.context, isAlive);
  // One enable per cluster at a time; the target is read again under the lock.
  return withFileLock(path.join(first.cluster.dir, 'mesh-enable.lock'), () => runEnable(enableTarget(opts.context, isAlive), opts), { timeoutMs: 180_000 });
}
