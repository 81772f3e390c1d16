/**
 * Thin effects on named network namespaces and links for the lab (ip, sysctl).
 */
import { readdirSync } from 'node:fs';
import { WeftError, ErrorCode } from '../errors.ts';
import { exec, execFull } from '../util/exec.ts';

const NETNS_DIR = '/run/netns';

/** Names of every named netns (ip netns list). */
export function listNetns(): string[] {
  try {
    return readdirSync(NETNS_DIR).sort();
  } catch {
    return [];
  }
}

export function netnsExists(name: string): boolean {
  return listNetns().includes(name);
}

export async function addNetns(name: string): Promise<void> {
  if (!netnsExists(name)) await exec('ip', ['netns', 'add', name]);
  await exec('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
}

/** Deletes the netns; true when it existed. */
export async function deleteNetns(name: string): Promise<boolean> {
  if (!netnsExists(name)) return false;
  await exec('ip', ['netns', 'delete', name]);
  return true;
}

/** PIDs of processes whose network namespace is this one. */
export async function netnsPids(name: string): Promise<number[]> {
  if (!netnsExists(name)) return [];
  const out = await exec('ip', ['netns', 'pids', name], { okCodes: [0, 1] });
  return out
    .split(/\s+/)
    .filter((s) => /^\d+$/.test(s))
    .map(Number);
}

export async function setSysctls(netns: string, settings: Readonly<Record<string, string>>): Promise<void> {
  const args = Object.entries(settings).map(([k, v]) => `${k}=${v}`);
  await exec('ip', ['netns', 'exec', netns, 'sysctl', '-q', '-w', ...args]);
}

/** True when the link exists (netns undefined = the root netns). */
export async function linkExists(netns: string | undefined, link: string): Promise<boolean> {
  if (netns !== undefined && !netnsExists(netns)) return false;
  const ns = netns === undefined ? [] : ['-n', netns];
  const r = await execFull('ip', [...ns, 'link', 'show', 'dev', link], { okCodes: [0, 1, 255] });
  return r.code === 0;
}

/** Deletes the link; true when it existed. */
export async function deleteLink(netns: string | undefined, link: string): Promise<boolean> {
  if (!(await linkExists(netns, link))) return false;
  const ns = netns === undefined ? [] : ['-n', netns];
  // The link may vanish meanwhile (its peer's netns was just deleted): gone is gone.
  const r = await execFull('ip', [...ns, 'link', 'del', 'dev', link], { okCodes: [0, 1, 2, 255] });
  if (r.code === 0) return true;
  if (!(await linkExists(netns, link))) return false;
  throw new WeftError(ErrorCode.CommandFailed, `ip ${[...ns, 'link', 'del', 'dev', link].join(' ')} failed (exit ${r.code}): ${r.stderr.trim()}`);
}

/** Runs `ip -batch -` in the netns (undefined = root), one command per line. */
export async function ipBatch(netns: string | undefined, lines: readonly string[]): Promise<void> {
  const ns = netns === undefined ? [] : ['-n', netns];
  await exec('ip', [...ns, '-batch', '-'], { input: `${lines.join('\n')}\n` });
}
