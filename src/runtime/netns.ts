/**
 * Named network namespaces (ip netns), the sandbox of every lab pod.
 */
import { existsSync } from 'node:fs';
import { exec } from '../util/exec.ts';

export function netnsPath(name: string): string {
  return `/run/netns/${name}`;
}

export function netnsExists(name: string): boolean {
  return existsSync(netnsPath(name));
}

export async function createNetns(name: string): Promise<void> {
  await exec('ip', ['netns', 'add', name]);
  await exec('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
}

/** Deletes the namespace; nothing to do when it does not exist. */
export async function deleteNetns(name: string): Promise<void> {
  if (!netnsExists(name)) return;
  await exec('ip', ['netns', 'delete', name]);
}

/** Set sysctls (`key=value`) inside the namespace; net.* sysctls are per network namespace. */
export async function setNetnsSysctls(name: string, settings: readonly string[]): Promise<void> {
  if (settings.length === 0) return;
  await exec('ip', ['netns', 'exec', name, 'sysctl', '-q', '-w', ...settings]);
}
