/**
 * Shared pieces of the end-to-end tests: seed 000's echo DaemonSet, and
 * checks of what is left on the machine.
 */
import { readFileSync } from 'node:fs';
import { exec } from '../../src/util/exec.ts';

/** Seed 000's echo-1 DaemonSet (one echo server pod per node on port 8080). */
export const ECHO_DAEMONSET = `
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: echo-1 }
spec:
  selector: { matchLabels: { run: echo-1 } }
  template:
    metadata: { labels: { run: echo-1 } }
    spec:
      containers:
        - { name: echo-1, image: jmalloc/echo-server, ports: [{ containerPort: 8080 }] }
`;

/** True while a process runs under that PID (zombies count as gone). */
export function pidRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Network namespaces whose name starts with prefix. */
export async function netnsWithPrefix(prefix: string): Promise<string[]> {
  const out = await exec('ip', ['netns', 'list']);
  return out
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(prefix));
}
