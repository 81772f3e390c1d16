/**
 * `weft clustermesh enable` for a lab cluster: mesh CA, cluster CA and
 * certificates, etcd users and roles (while etcd is still plain http), etcd
 * restarted with https + client-certificate auth against the cluster CA only,
 * auth enabled, the context switched to the admin certificate, then the
 * operator and every agent restarted with their client certificates, and the
 * mesh proxy (what other clusters reach, read-only) started. Pods keep
 * running (agents adopt them). Every step is idempotent; a finished enable is
 * detected and changes nothing.
 */
import path from 'node:path';
import { WeftError, ErrorCode } from '../errors.ts';
import type { KvBackend } from '../kvstore/backend.ts';
import { createEtcdKv } from '../kvstore/etcd.ts';
import type { EtcdTls } from '../kvstore/etcd.ts';
import { saveContext } from '../contexts/contexts.ts';
import { withFileLock } from '../lab/lock.ts';
import { restartWithArgv } from '../lab/processControl.ts';
import type { Progress } from '../lab/progress.ts';
import { setClusterMesh } from '../lab/store.ts';
import { certFingerprint } from '../pki/ca.ts';
import { ensureClusterCerts, MESH_PROXY_SERVER_CERT, REMOTE_CERT } from '../pki/clusterCerts.ts';
import { caFiles, clusterCaFiles, clusterPkiDir, ensurePkiDir, pemPair, writeCa } from '../pki/files.ts';
import { isAlive } from '../util/proc.ts';
import { etcdAuthPlan } from './etcdAuth.ts';
import { reconcileEtcdAuth } from './etcdAuthApply.ts';
import { createEtcdAuthApi } from './etcdAuthClient.ts';
import { resolveClusterCa, resolveMeshCa } from './enableCa.ts';
import type { CaChoice, ResolvedCa } from './enableCa.ts';
import { etcdClientUrl, etcdServesMtls, flagValue, meshProxyArgv, meshProxyUrl, tlsClientArgv, tlsEtcdArgv, withMeshIdentity } from './enablePlan.ts';
import { ensureProcessEntry } from '../lab/store.ts';
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

/** A client of the cluster's own etcd: the cluster CA and the identity's certificate. */
function tlsFor(pkiDir: string, name: string): EtcdTls {
  return { caFile: clusterCaFiles(pkiDir).certFile, ...pemPair(pkiDir, name) };
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
    progress.ok(
      changes.length === 0
        ? 'etcd users and roles already in place'
        : `etcd users and roles: ${changes.length} change(s) (admin-${t.cluster.name} → root; operator-, node-, mesh-proxy-${t.cluster.name} → least privilege, see the README's access table)`,
    );
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
  const operatorArgv = withMeshIdentity(tlsClientArgv(t.operator.argv, tlsFor(pkiDir, 'operator')), pemPair(pkiDir, REMOTE_CERT));
  if (await ensureRunningWith(t, t.operator, operatorArgv, progress)) restarted.push(`operator on ${t.operator.host}`);
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

/** Starts (or restarts with a changed argv) the mesh proxy on the control-plane host. */
async function startMeshProxy(t: EnableTarget, pkiDir: string, progress: Progress): Promise<boolean> {
  const argv = meshProxyArgv(t.operator.argv, {
    cluster: t.cluster.name,
    cpIp: t.cluster.cpIp,
    etcd: tlsFor(pkiDir, 'mesh-proxy'),
    server: { caFile: caFiles(pkiDir).certFile, ...pemPair(pkiDir, MESH_PROXY_SERVER_CERT) },
  });
  const ref = t.meshProxy ?? { host: t.operator.host, proc: 'mesh-proxy' as const, argv: [], alive: false };
  if (t.meshProxy === undefined) {
    const dir = t.cluster.hosts.find((h) => h.name === ref.host)?.dir ?? t.cluster.dir;
    await ensureProcessEntry(t.cluster.name, ref.host, 'mesh-proxy', argv, path.join(dir, 'mesh-proxy.log'));
  }
  if (!(await ensureRunningWith(t, ref, argv, progress))) return false;
  progress.ok(`Mesh proxy serves other clusters at ${meshProxyUrl(t.cluster.cpIp)} (read-only: Range, Watch, Status; connected clusters only)`);
  return true;
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
  const clusterCa = await resolveClusterCa(name);
  if (clusterCa.created) writeCa(dir, clusterCa.ca, 'cluster-ca');
  progress.ok(`Cluster CA ${clusterCa.created ? 'created' : 'kept'} (${clusterCaFiles(dir).certFile}; only ${name}'s etcd trusts it, never shared)`);
  const certs = await ensureClusterCerts(dir, { mesh: ca.ca, cluster: clusterCa.ca }, name, cpIp);
  const issued = certs.filter((c) => c.action !== 'kept').map((c) => c.name);
  progress.ok(
    issued.length === 0
      ? `Certificates in ${dir} already fit`
      : `Certificates issued in ${dir}: ${issued.join(', ')} (CNs name the cluster: admin-${name}, remote-${name}, …; keys 0600)`,
  );

  const authChanges = await configureAuth(t, dir, progress);

  const restarted: string[] = [];
  const etcdArgv = tlsEtcdArgv(t.etcd.argv, tlsFor(dir, 'etcd-server'));
  const endpoint = etcdClientUrl(etcdArgv);
  if (await ensureRunningWith(t, t.etcd, etcdArgv, progress, { endpoint, tls: tlsFor(dir, 'admin') })) restarted.push(`etcd on ${t.etcd.host}`);
  await setClusterMesh(name, { enabled: false, pkiDir: dir }, endpoint);
  progress.ok(`etcd serves ${flagValue(etcdArgv, '--listen-client-urls') ?? endpoint} only, with client-certificate auth against ${name}'s cluster CA`);

  await enableAuth(endpoint, dir, progress);

  const admin = tlsFor(dir, 'admin');
  saveContext(
    {
      name: t.ctx.name,
      cluster: t.ctx.cluster,
      endpoints: [endpoint],
      tls: { caFile: admin.caFile, certFile: admin.certFile, keyFile: admin.keyFile },
      meshEndpoints: [meshProxyUrl(cpIp)],
    },
    false,
  );
  progress.ok(`Context ${t.ctx.name} now uses ${endpoint} with the admin certificate`);

  restarted.push(...(await restartClients(t, dir, endpoint, progress, opts.nodesTimeoutMs ?? 90_000)));
  if (await startMeshProxy(t, dir, progress)) restarted.push(`mesh-proxy on ${t.operator.host}`);

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
