/**
 * Kubeconfig files (I/O): which file is the user's ($KUBECONFIG's first
 * entry, else ~/.kube/config, as kubectl and kind choose), reading it as YAML,
 * writing it atomically with mode 0600, merging and removing a lab cluster's
 * entries.
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { WeftError, ErrorCode, errorMessage } from '../errors.ts';
import { writeFileAtomic } from '../util/atomicFile.ts';
import { emptyKubeconfig, mergeEntries, removeEntries } from './kubeconfig.ts';
import type { KubeconfigDoc, KubeconfigEntries } from './kubeconfig.ts';

export const KUBECONFIG_MODE = 0o600;

/** The file kubectl writes to (pure): $KUBECONFIG's first non-empty entry, else ~/.kube/config. */
export function userKubeconfigPath(env: NodeJS.ProcessEnv, home: string = os.homedir()): string {
  const first = (env['KUBECONFIG'] ?? '').split(path.delimiter).find((f) => f !== '');
  return first ?? path.join(home, '.kube', 'config');
}

export function readKubeconfig(file: string): KubeconfigDoc {
  if (!existsSync(file)) return emptyKubeconfig();
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new WeftError(ErrorCode.InvalidInput, `kubeconfig ${file} is not YAML: ${errorMessage(err)}`, { cause: err });
  }
  if (doc === null || doc === undefined) return emptyKubeconfig();
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new WeftError(ErrorCode.InvalidInput, `kubeconfig ${file} is not a YAML mapping`);
  return doc as KubeconfigDoc;
}

export function writeKubeconfig(file: string, doc: KubeconfigDoc): void {
  writeFileAtomic(file, stringify(doc), KUBECONFIG_MODE);
}

export function mergeIntoFile(file: string, e: KubeconfigEntries): void {
  writeKubeconfig(file, mergeEntries(readKubeconfig(file), e, file));
}

/** Removes exactly the entries (see removeEntries); a missing file is left missing. Returns what was removed. */
export function removeFromFile(file: string, e: KubeconfigEntries): string[] {
  if (!existsSync(file)) return [];
  const { doc, removed } = removeEntries(readKubeconfig(file), e, file);
  if (removed.length > 0) writeKubeconfig(file, doc);
  return removed;
}
