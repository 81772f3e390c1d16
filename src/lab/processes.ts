/**
 * Starting and stopping the lab's long-running processes (etcd, operator,
 * agent): detached in their own session, output appended to a log file,
 * recorded by PID + start time, stopped only through that record.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { WeftError, ErrorCode } from '../errors.ts';
import { isAlive, processStartTime, stopProcess } from '../util/proc.ts';
import type { ProcessRecord } from '../util/proc.ts';

/** The last lines of a log file ('' when missing). */
export function logTail(file: string, lines = 15): string {
  try {
    const text = readFileSync(file, 'utf8').trimEnd();
    return text.split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function describeExit(argv: readonly string[], logFile: string, why: string): WeftError {
  const tail = logTail(logFile);
  return new WeftError(
    ErrorCode.CommandFailed,
    `${argv.join(' ')} ${why}; log ${logFile}${tail === '' ? ' is empty' : `:\n${tail}`}`,
  );
}

/**
 * Starts argv detached (new session, stdin closed, stdout+stderr appended to
 * logFile), waits settleMs and checks it is still running.
 */
export async function startDetached(argv: readonly string[], logFile: string, settleMs = 300): Promise<ProcessRecord> {
  const [cmd, ...args] = argv;
  if (cmd === undefined) throw new WeftError(ErrorCode.Internal, 'cannot start an empty argv');
  mkdirSync(path.dirname(logFile), { recursive: true });
  const fd = openSync(logFile, 'a');
  let pid: number | undefined;
  let spawnError: Error | undefined;
  try {
    const child = spawn(cmd, args, { detached: true, stdio: ['ignore', fd, fd], env: process.env });
    child.on('error', (e) => {
      spawnError = e;
    });
    child.unref();
    pid = child.pid;
  } finally {
    closeSync(fd);
  }
  if (pid === undefined) {
    await sleep(0);
    throw describeExit(argv, logFile, `could not be started${spawnError === undefined ? '' : `: ${spawnError.message}`}`);
  }
  const startTime = processStartTime(pid);
  if (startTime === undefined) throw describeExit(argv, logFile, 'exited immediately');
  const rec: ProcessRecord = { pid, startTime };
  await sleep(settleMs);
  if (!isAlive(rec)) throw describeExit(argv, logFile, `exited within ${settleMs} ms (pid ${pid})`);
  return rec;
}

/** Stops the recorded process; true when it was running and is now gone. */
export async function stopRecorded(rec: ProcessRecord | undefined, graceMs = 5000): Promise<'stopped' | 'not-running'> {
  if (rec === undefined || !isAlive(rec)) return 'not-running';
  const gone = await stopProcess(rec, graceMs);
  if (!gone) throw new WeftError(ErrorCode.CommandFailed, `process ${rec.pid} did not exit after SIGTERM and SIGKILL`);
  return 'stopped';
}
