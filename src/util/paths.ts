/**
 * Where Weft keeps its files and finds its own executables.
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The checkout / package root (the folder holding package.json). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The Node 24 binary running this process; child processes use the same one. */
export const NODE_BIN = process.execPath;

/** The CLI entry point, for spawning `weft agent`, `weft operator`, … */
export const CLI_ENTRY = path.join(PROJECT_ROOT, 'src', 'cli', 'main.ts');

/** Folder holding the `weft` CNI plugin executable (CNI_PATH entry). */
export const CNI_BIN_DIR = path.join(PROJECT_ROOT, 'bin', 'cni');

/** Debian's reference CNI plugins (containernetworking-plugins). */
export const REFERENCE_CNI_DIR = '/usr/lib/cni';

/** Weft's home: contexts config and lab state. Override with WEFT_HOME. */
export function weftHome(): string {
  return process.env['WEFT_HOME'] ?? '/var/lib/weft';
}

/** The argv prefix that runs the weft CLI with this Node. */
export function weftCommand(): string[] {
  return [NODE_BIN, CLI_ENTRY];
}
