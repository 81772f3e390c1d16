/**
 * The TLS material of a remote connection, materialised from its
 * RemoteConfig to <state-dir>/remotes/<remote>/{ca.crt,tls.crt,tls.key}
 * (directory 0700, files 0600) for the etcd client.
 */
import { readdirSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { EtcdTls } from '../kvstore/etcd.ts';
import { writeFileAtomic } from '../util/atomicFile.ts';
import { usesTls, type RemoteConfig } from './remoteConfig.ts';

export function remotesDir(stateDir: string): string {
  return path.join(stateDir, 'remotes');
}

export function remotePemDir(stateDir: string, remote: string): string {
  return path.join(remotesDir(stateDir), remote);
}

function writeIfChanged(file: string, content: string): void {
  try {
    if (readFileSync(file, 'utf8') === content) return;
  } catch {
    /* absent: write it */
  }
  writeFileAtomic(file, content, 0o600);
}

/** Write the PEM files of `cfg` (only when it uses https) and return the client's TLS settings. */
export function writeRemotePems(stateDir: string, cfg: RemoteConfig): EtcdTls | undefined {
  if (!usesTls(cfg)) return undefined;
  const dir = remotePemDir(stateDir, cfg.name);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tls: EtcdTls = { caFile: path.join(dir, 'ca.crt'), certFile: path.join(dir, 'tls.crt'), keyFile: path.join(dir, 'tls.key') };
  writeIfChanged(tls.caFile, cfg.caPem);
  writeIfChanged(tls.certFile, cfg.certPem);
  writeIfChanged(tls.keyFile, cfg.keyPem);
  return tls;
}

export function removeRemotePems(stateDir: string, remote: string): void {
  rmSync(remotePemDir(stateDir, remote), { recursive: true, force: true });
}

/** Remotes that have a PEM directory (to find leftovers of remotes disconnected while the operator was down). */
export function remotesWithPems(stateDir: string): string[] {
  try {
    return readdirSync(remotesDir(stateDir), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  } catch {
    return [];
  }
}
