/**
 * The TLS material of a remote connection: the remote's CA, materialised from
 * its RemoteConfig to <state-dir>/remotes/<remote>/ca.crt (directory 0700,
 * file 0600), and this cluster's own remote identity (`remote-<self>`), which
 * the operator was started with.
 */
import { readdirSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { WeftError, ErrorCode } from '../../errors.ts';
import type { EtcdTls } from '../../kvstore/etcd.ts';
import { writeFileAtomic } from '../../util/atomicFile.ts';
import { usesTls, type RemoteConfig } from '../../model/remoteConfig.ts';

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

/** The operator's own client certificate toward other clusters' mesh proxies (CN `remote-<self>`). */
export interface RemoteIdentity {
  certFile: string;
  keyFile: string;
}

/** Write the remote's CA (only when it uses https) and return the client's TLS settings. */
export function writeRemotePems(stateDir: string, cfg: RemoteConfig, identity: RemoteIdentity | undefined): EtcdTls | undefined {
  if (!usesTls(cfg)) return undefined;
  if (identity === undefined) {
    throw new WeftError(ErrorCode.InvalidInput, `remote cluster ${cfg.name} is reached over https (${cfg.endpoints.join(',')}) but this operator has no remote identity: start it with --mesh-cert and --mesh-key`);
  }
  const dir = remotePemDir(stateDir, cfg.name);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const caFile = path.join(dir, 'ca.crt');
  writeIfChanged(caFile, cfg.caPem);
  return { caFile, certFile: identity.certFile, keyFile: identity.keyFile };
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
