/**
 * Where the Kubernetes control-plane binaries are: WEFT_KUBE_BIN, else the
 * cache scripts/kube-bins.sh builds once (/var/cache/weft/kube/bin).
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { WeftError, ErrorCode } from '../errors.ts';

export const DEFAULT_KUBE_BIN_DIR = '/var/cache/weft/kube/bin';
export const KUBE_BINARIES = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const;
export type KubeBinary = (typeof KUBE_BINARIES)[number];

export type KubeBins = Readonly<Record<KubeBinary, string>>;

/** The folder to look in (pure): WEFT_KUBE_BIN when set, else the build cache. */
export function kubeBinDir(env: NodeJS.ProcessEnv): string {
  const dir = env['WEFT_KUBE_BIN'];
  return dir === undefined || dir === '' ? DEFAULT_KUBE_BIN_DIR : dir;
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The three binaries, or a WeftError naming the folder, what is missing and how to build it. */
export function resolveKubeBins(env: NodeJS.ProcessEnv = process.env, isExecutable: (file: string) => boolean = executable): KubeBins {
  const dir = kubeBinDir(env);
  const files = Object.fromEntries(KUBE_BINARIES.map((b) => [b, path.join(dir, b)])) as Record<KubeBinary, string>;
  const missing = KUBE_BINARIES.filter((b) => !isExecutable(files[b]));
  if (missing.length > 0) {
    const from = env['WEFT_KUBE_BIN'] === undefined || env['WEFT_KUBE_BIN'] === '' ? `the build cache ${dir}` : `WEFT_KUBE_BIN=${dir}`;
    throw new WeftError(
      ErrorCode.NotFound,
      `${from} has no executable ${missing.join(', ')}: build them once with \`sudo bash scripts/kube-bins.sh\` (about 15 minutes), or set WEFT_KUBE_BIN to a folder holding kube-apiserver, kube-controller-manager and kube-scheduler`,
    );
  }
  return files;
}
