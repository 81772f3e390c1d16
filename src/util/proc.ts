/**
 * Processes the project starts and later ends: a process is recorded with its
 * PID and kernel start time, and ended only when both still match, so a
 * recycled PID is never signalled.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ProcessRecord {
  readonly pid: number;
  /** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot). */
  readonly startTime: string;
}

export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may contain spaces; fields after the last ')' are fixed.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // rest[0] is field 3 (state); start time is field 22 → rest[19].
    return rest[19];
  } catch {
    return undefined;
  }
}

export function recordProcess(pid: number): ProcessRecord {
  const startTime = processStartTime(pid);
  if (startTime === undefined) throw new Error(`process ${pid} is not running`);
  return { pid, startTime };
}

/** True when the recorded process is still the one running under that PID (zombies count as gone). */
export function isAlive(rec: ProcessRecord): boolean {
  if (processStartTime(rec.pid) !== rec.startTime) return false;
  try {
    const stat = readFileSync(`/proc/${rec.pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Send SIGTERM to the recorded process, wait up to graceMs, then SIGKILL.
 * Returns true when the process is gone. Never signals a recycled PID.
 */
export async function stopProcess(rec: ProcessRecord, graceMs = 3000): Promise<boolean> {
  if (!isAlive(rec)) return true;
  try {
    process.kill(rec.pid, 'SIGTERM');
  } catch {
    return !isAlive(rec);
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(rec)) return true;
    await sleep(25);
  }
  if (isAlive(rec)) {
    try {
      process.kill(rec.pid, 'SIGKILL');
    } catch {
      /* gone between the check and the signal */
    }
  }
  for (let i = 0; i < 40 && isAlive(rec); i++) await sleep(25);
  return !isAlive(rec);
}
