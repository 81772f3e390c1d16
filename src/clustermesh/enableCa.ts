/**
 * Which mesh CA `clustermesh enable` uses: the cluster's own when it already
 * has one, a new one (--create-ca, the default), or a copy of another
 * cluster's (--inherit-ca <context>). Everything is checked before anything
 * is written; errors name the flag and its value.
 */
import path from 'node:path';
import { WeftError, ErrorCode, errorMessage, isWeftError } from '../errors.ts';
import { resolveContext } from '../contexts/contexts.ts';
import { certFingerprint, createCa } from '../pki/ca.ts';
import type { CertificateAuthority } from '../pki/ca.ts';
import { caFiles, clusterCaFiles, clusterPkiDir, hasCa, loadCa } from '../pki/files.ts';

export type CaChoice = { mode: 'default' } | { mode: 'create' } | { mode: 'inherit'; context: string };

export interface ResolvedCa {
  ca: CertificateAuthority;
  /** existing: the cluster already had it; created: new; inherited: copied from another cluster's PKI. */
  source: 'existing' | 'created' | 'inherited';
  /** The context the CA was inherited from ('' otherwise). */
  from: string;
  fingerprint: string;
}

/** Pure: the CA choice from the flags. */
export function parseCaChoice(opts: { createCa?: boolean; inheritCa?: string }): CaChoice {
  if (opts.createCa === true && opts.inheritCa !== undefined) {
    throw new WeftError(ErrorCode.InvalidInput, `--create-ca and --inherit-ca "${opts.inheritCa}" exclude each other: give one of them`);
  }
  if (opts.inheritCa !== undefined) {
    if (opts.inheritCa.trim() === '') throw new WeftError(ErrorCode.InvalidInput, '--inherit-ca needs a context name');
    return { mode: 'inherit', context: opts.inheritCa };
  }
  return opts.createCa === true ? { mode: 'create' } : { mode: 'default' };
}

/** The PKI folder of the cluster a context points at. */
function pkiDirOfContext(name: string): { cluster: string; dir: string } {
  const ctx = resolveContext(name);
  return { cluster: ctx.cluster, dir: ctx.tls === undefined ? clusterPkiDir(ctx.cluster) : path.dirname(ctx.tls.caFile) };
}

async function inheritedCa(cluster: string, context: string): Promise<CertificateAuthority> {
  let other: { cluster: string; dir: string };
  try {
    other = pkiDirOfContext(context);
  } catch (err) {
    throw new WeftError(isWeftError(err) ? err.code : ErrorCode.NotFound, `--inherit-ca "${context}": ${errorMessage(err)}`, { cause: err });
  }
  if (other.cluster === cluster) {
    throw new WeftError(ErrorCode.InvalidInput, `--inherit-ca "${context}" is cluster ${cluster} itself; name the context of another cluster`);
  }
  if (!hasCa(other.dir)) {
    const f = caFiles(other.dir);
    throw new WeftError(
      ErrorCode.NotFound,
      `--inherit-ca "${context}": cluster ${other.cluster} has no mesh CA (${f.certFile} and ${f.keyFile}); run \`weft clustermesh enable --context ${context}\` first`,
    );
  }
  try {
    return await loadCa(other.dir);
  } catch (err) {
    throw new WeftError(ErrorCode.InvalidInput, `--inherit-ca "${context}": ${errorMessage(err)}`, { cause: err });
  }
}

/** Resolves (and for a new CA, creates in memory) the CA of `cluster`; writes nothing. */
export async function resolveMeshCa(cluster: string, choice: CaChoice): Promise<ResolvedCa> {
  const dir = clusterPkiDir(cluster);
  const wanted = choice.mode === 'inherit' ? await inheritedCa(cluster, choice.context) : undefined;
  if (hasCa(dir)) {
    const ca = await loadCa(dir);
    const fingerprint = certFingerprint(ca.certPem);
    if (wanted !== undefined && certFingerprint(wanted.certPem) !== fingerprint && choice.mode === 'inherit') {
      throw new WeftError(
        ErrorCode.Conflict,
        `cluster ${cluster} already has a mesh CA (${fingerprint}) that differs from the CA of --inherit-ca "${choice.context}" (${certFingerprint(wanted.certPem)}); ` +
          `recreate the cluster to change its CA`,
      );
    }
    return { ca, source: 'existing', from: '', fingerprint };
  }
  if (wanted !== undefined && choice.mode === 'inherit') {
    return { ca: wanted, source: 'inherited', from: choice.context, fingerprint: certFingerprint(wanted.certPem) };
  }
  const ca = await createCa();
  return { ca, source: 'created', from: '', fingerprint: certFingerprint(ca.certPem) };
}

/** The cluster's own CA (never shared, never inherited): the existing one, or a new one; writes nothing. */
export async function resolveClusterCa(cluster: string): Promise<{ ca: CertificateAuthority; created: boolean }> {
  const dir = clusterPkiDir(cluster);
  const files = clusterCaFiles(dir);
  if (hasCa(dir, files)) return { ca: await loadCa(dir, files), created: false };
  return { ca: await createCa({ commonName: `weft-cluster-ca-${cluster}` }), created: true };
}
