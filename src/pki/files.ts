/**
 * The PKI on disk: `${weftHome()}/pki/<cluster>/` holds the mesh CA
 * (ca.crt/ca.key), the cluster CA (cluster-ca.crt/cluster-ca.key), the etcd
 * server certificate, the client certificates and the mesh proxy's server
 * certificate, PEM; private keys are written mode 0600 (atomically),
 * certificates 0644, the folder 0700.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { WeftError, ErrorCode, errorMessage } from '../errors.ts';
import { writeFileAtomic } from '../util/atomicFile.ts';
import { weftHome } from '../util/paths.ts';
import { caFromPem } from './ca.ts';
import type { CertificateAuthority } from './ca.ts';
import type { IssuedCert } from './issue.ts';

export const KEY_MODE = 0o600;
export const CERT_MODE = 0o644;
export const PKI_DIR_MODE = 0o700;

/** Every cluster's PKI lives under this folder. */
export function pkiRoot(): string {
  return path.join(weftHome(), 'pki');
}

export function clusterPkiDir(cluster: string): string {
  return path.join(pkiRoot(), cluster);
}

export interface PemPair {
  certFile: string;
  keyFile: string;
}

/** `<dir>/<name>.crt` and `<dir>/<name>.key`. */
export function pemPair(dir: string, name: string): PemPair {
  return { certFile: path.join(dir, `${name}.crt`), keyFile: path.join(dir, `${name}.key`) };
}

/** The mesh CA (shared by every cluster of the mesh). */
export function caFiles(dir: string): PemPair {
  return pemPair(dir, 'ca');
}

/** The cluster CA (this cluster's alone: its etcd trusts nothing else). */
export function clusterCaFiles(dir: string): PemPair {
  return pemPair(dir, 'cluster-ca');
}

export function ensurePkiDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PKI_DIR_MODE });
  chmodSync(dir, PKI_DIR_MODE);
}

/** Writes cert (0644) and key (0600) atomically; the key first, so a cert never sits beside a missing key. */
export function writePemPair(dir: string, name: string, pem: IssuedCert): PemPair {
  ensurePkiDir(dir);
  const files = pemPair(dir, name);
  writeFileAtomic(files.keyFile, pem.keyPem, KEY_MODE);
  writeFileAtomic(files.certFile, pem.certPem, CERT_MODE);
  return files;
}

export function writeCa(dir: string, ca: CertificateAuthority, name = 'ca'): PemPair {
  return writePemPair(dir, name, { certPem: ca.certPem, keyPem: ca.keyPem });
}

export function hasCa(dir: string, files: PemPair = caFiles(dir)): boolean {
  return existsSync(files.certFile) && existsSync(files.keyFile);
}

function readPem(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : errorMessage(err);
    throw new WeftError(ErrorCode.NotFound, `${what} ${file} ${why}`, { cause: err });
  }
}

/** The PEM certificate and key at `<dir>/<name>.{crt,key}`, or undefined when either is missing. */
export function readPemPair(dir: string, name: string): IssuedCert | undefined {
  const f = pemPair(dir, name);
  if (!existsSync(f.certFile) || !existsSync(f.keyFile)) return undefined;
  return { certPem: readPem(f.certFile, 'certificate'), keyPem: readPem(f.keyFile, 'private key') };
}

/** Loads the CA of a PKI folder; errors name the folder and the missing or bad file. */
export async function loadCa(dir: string, f: PemPair = caFiles(dir)): Promise<CertificateAuthority> {
  const certPem = readPem(f.certFile, 'CA certificate');
  const keyPem = readPem(f.keyFile, 'CA private key');
  return caFromPem(certPem, keyPem, dir);
}
