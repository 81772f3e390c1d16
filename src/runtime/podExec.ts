/**
 * What `weft exec` needs to run a command the way the pod's own processes run:
 * a live process of the pod (whose mount and network namespaces it enters),
 * that process's uid and its environment. Parsing is pure; reading /proc is
 * the only effect.
 */
import { readFileSync } from 'node:fs';
import { WeftError, ErrorCode } from '../errors.ts';

export interface PodExecTarget {
  readonly pid: number;
  readonly uid: number;
  readonly env: Readonly<Record<string, string>>;
}

/** The real uid from the text of /proc/<pid>/status, or undefined. */
export function statusUid(status: string): number | undefined {
  const m = /^Uid:\s+(\d+)/m.exec(status);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/** The NUL-separated KEY=VALUE list of /proc/<pid>/environ as a record. */
export function parseEnviron(raw: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of raw.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

/** The first of the pod's processes still running; throws NotFound naming the pod when none is. */
export function podExecTarget(pod: string, pids: readonly number[]): PodExecTarget {
  for (const pid of pids) {
    try {
      const uid = statusUid(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (uid === undefined) continue;
      return { pid, uid, env: parseEnviron(readFileSync(`/proc/${pid}/environ`, 'utf8')) };
    } catch {
      /* gone: try the next one */
    }
  }
  throw new WeftError(ErrorCode.NotFound, `pod ${pod}: none of its processes (${pids.join(', ') || 'none recorded'}) is running on this machine`);
}
