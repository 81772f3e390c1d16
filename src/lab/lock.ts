/**
 * A lock file serialising `weft lab` commands that read-modify-write the lab
 * state. The owner is recorded by PID + start time; a lock whose owner is gone
 * is taken over.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { WeftError, ErrorCode } from '../errors.ts';
import { isAlive, recordProcess } from '../util/proc.ts';
import type { ProcessRecord } from '../util/proc.ts';

export interface LockOptions {
  timeoutMs?: number;
  pollMs?: number;
}

function readOwner(file: string): ProcessRecord | undefined {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as Partial<ProcessRecord>;
    if (typeof v.pid === 'number' && typeof v.startTime === 'string') return { pid: v.pid, startTime: v.startTime };
  } catch {
    /* missing or half-written */
  }
  return undefined;
}

function tryCreate(file: string, owner: ProcessRecord): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, JSON.stringify(owner));
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Holds the lock at `file` while fn runs. */
export async function withFileLock<T>(file: string, fn: () => Promise<T> | T, opts: LockOptions = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const pollMs = opts.pollMs ?? 50;
  mkdirSync(path.dirname(file), { recursive: true });
  const me = recordProcess(process.pid);
  const deadline = Date.now() + timeoutMs;
  let unreadableSince: number | undefined;
  for (;;) {
    if (tryCreate(file, me)) break;
    const owner = readOwner(file);
    if (owner === undefined) {
      // Being written right now, or left half-written by a crash: give it a moment.
      unreadableSince ??= Date.now();
      if (Date.now() - unreadableSince > 1000) rmSync(file, { force: true });
    } else if (!isAlive(owner)) {
      rmSync(file, { force: true });
      continue;
    } else {
      unreadableSince = undefined;
    }
    if (Date.now() > deadline) {
      throw new WeftError(
        ErrorCode.Timeout,
        `lab lock ${file} is still held by pid ${owner?.pid ?? '?'} after ${timeoutMs} ms; another \`weft lab\` command is running`,
      );
    }
    await sleep(pollMs);
  }
  try {
    return await fn();
  } finally {
    const owner = readOwner(file);
    if (owner !== undefined && owner.pid === me.pid && owner.startTime === me.startTime) rmSync(file, { force: true });
  }
}
