/**
 * `weft clustermesh connect | disconnect`: link two clusters in both
 * directions. Everything is read and validated first; then each side gets a
 * record (weft/mesh/remotes/<other>) naming where the other's mesh proxy is
 * and the CA its certificates chain to. The record both tells the operator
 * whom to read and tells the mesh proxy whom to let in; it holds no private
 * key. Disconnect deletes both records: each side's proxy ends the other's
 * calls and refuses it from then on.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { KvBackend } from '../kvstore/backend.ts';
import { getJson } from '../kvstore/json.ts';
import { keys, parseKeyOf } from '../kvstore/keys.ts';
import { ClusterConfig } from '../model/state.ts';
import { caFiles } from '../pki/files.ts';
import type { RemoteConfig } from '../model/remoteConfig.ts';
import { WeftError, ErrorCode } from '../errors.ts';
import type { Context } from '../contexts/contexts.ts';
import type { MeshMember, Violation } from './validateConnect.ts';
import { validateConnect } from './validateConnect.ts';

export interface MeshSide {
  readonly ctx: Context;
  readonly kv: KvBackend;
}

interface SideFacts {
  readonly config: ClusterConfig;
  readonly connected: MeshMember[];
  readonly caPem: string;
  readonly meshEndpoints: string[];
}

function member(c: ClusterConfig): MeshMember {
  return { name: c.name, id: c.id, podCIDRs: c.podCIDRs, serviceCIDR: c.serviceCIDR, routingMode: c.routingMode };
}

export function caFingerprint(caPem: string): string {
  return new X509Certificate(caPem).fingerprint256.replace(/:/g, '').toLowerCase();
}

function readPem(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new WeftError(ErrorCode.NotFound, `cannot read ${what} "${file}": ${(err as Error).message}`);
  }
}

async function factsOf(side: MeshSide): Promise<SideFacts> {
  const { ctx, kv } = side;
  if (ctx.tls === undefined) {
    throw new WeftError(ErrorCode.InvalidInput, `cluster mesh is not enabled on context "${ctx.name}": run \`weft clustermesh enable --context ${ctx.name}\` first`);
  }
  const config = await getJson(kv, keys.clusterConfig(ctx.cluster), ClusterConfig);
  if (config === undefined) throw new WeftError(ErrorCode.NotFound, `context "${ctx.name}": no cluster configuration at ${keys.clusterConfig(ctx.cluster)}`);
  const connected: MeshMember[] = [];
  for (const e of (await kv.list(keys.meshRemotesPrefix())).entries) {
    const remote = parseKeyOf('mesh-remote', e.key)?.remote;
    if (remote === undefined) continue;
    const cfg = await getJson(kv, keys.cacheOf(remote, keys.clusterConfig(remote)), ClusterConfig);
    if (cfg !== undefined) connected.push(member(cfg));
  }
  if (ctx.meshEndpoints === undefined) {
    throw new WeftError(ErrorCode.InvalidInput, `context "${ctx.name}" names no mesh proxy endpoint: run \`weft clustermesh enable --context ${ctx.name}\` again`);
  }
  const meshCa = caFiles(path.dirname(ctx.tls.caFile)).certFile;
  return { config, connected, caPem: readPem(meshCa, `the mesh CA of ${ctx.name}`), meshEndpoints: ctx.meshEndpoints };
}

/** The record about cluster `facts` kept in the other cluster: where its mesh proxy is and its mesh CA. */
function remoteRecord(facts: SideFacts): RemoteConfig {
  return { name: facts.config.name, clusterId: facts.config.id, endpoints: facts.meshEndpoints, caPem: facts.caPem };
}

export class ConnectRejected extends WeftError {
  readonly violations: readonly Violation[];
  constructor(violations: readonly Violation[]) {
    super(ErrorCode.Conflict, `cannot connect: ${violations.length} rule(s) violated:\n${violations.map((v) => `  - [${v.rule}] ${v.message}`).join('\n')}`);
    this.violations = violations;
  }
}

/** Validate, then write both records; on a failure of the second write the first is undone. */
export async function connectClusters(a: MeshSide, b: MeshSide, opts: { allowMismatchingCa: boolean }): Promise<{ source: string; destination: string }> {
  const [fa, fb] = await Promise.all([factsOf(a), factsOf(b)]);
  const violations = validateConnect({
    source: member(fa.config),
    destination: member(fb.config),
    alreadyConnected: [...fa.connected, ...fb.connected].filter((m) => m.name !== fa.config.name && m.name !== fb.config.name),
    sourceCaFingerprint: caFingerprint(fa.caPem),
    destinationCaFingerprint: caFingerprint(fb.caPem),
    allowMismatchingCa: opts.allowMismatchingCa,
  });
  if (violations.length > 0) throw new ConnectRejected(violations);
  const recordForA = JSON.stringify(remoteRecord(fb));
  const recordForB = JSON.stringify(remoteRecord(fa));
  const keyInA = keys.meshRemote(fb.config.name);
  const previousInA = await a.kv.get(keyInA);
  await a.kv.put(keyInA, recordForA);
  try {
    await b.kv.put(keys.meshRemote(fa.config.name), recordForB);
  } catch (err) {
    if (previousInA === undefined) await a.kv.delete(keyInA);
    else await a.kv.put(keyInA, previousInA.value);
    throw err;
  }
  return { source: fa.config.name, destination: fb.config.name };
}

/** Remove both records; each operator then drops the other's cache. Missing records are fine. */
export async function disconnectClusters(a: MeshSide, b: MeshSide): Promise<{ removed: number }> {
  const [ra, rb] = await Promise.all([a.kv.delete(keys.meshRemote(b.ctx.cluster)), b.kv.delete(keys.meshRemote(a.ctx.cluster))]);
  return { removed: Number(ra) + Number(rb) };
}
