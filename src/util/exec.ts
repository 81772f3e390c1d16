/**
 * Spawning external commands (ip, nft, etcd, …). Every call returns stdout or
 * throws a WeftError naming the command, its exit code and its stderr.
 */
import { spawn } from 'node:child_process';
import { WeftError, ErrorCode } from '../errors.ts';

export interface ExecOptions {
  /** Written to the child's stdin, which is then closed. */
  input?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Milliseconds before the child is killed; default 60 s. */
  timeoutMs?: number;
  /** Exit codes that are not errors (default: only 0). */
  okCodes?: readonly number[];
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  code: number;
}

export async function execFull(cmd: string, args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 60_000);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new WeftError(ErrorCode.CommandFailed, `cannot run ${cmd}: ${e.message}`, { cause: e }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      const exit = code ?? -1;
      if (timedOut) {
        reject(new WeftError(ErrorCode.Timeout, `${cmd} ${args.join(' ')} timed out after ${opts.timeoutMs ?? 60_000} ms`));
        return;
      }
      const ok = opts.okCodes ?? [0];
      if (!ok.includes(exit)) {
        const why = stderr.trim() || stdout.trim() || (signal ? `killed by ${signal}` : `exit ${exit}`);
        reject(
          new WeftError(ErrorCode.CommandFailed, `${cmd} ${args.join(' ')} failed (exit ${exit}): ${why}`, {
            details: { cmd, args, code: exit, stderr },
          }),
        );
        return;
      }
      resolve({ stdout, stderr, code: exit });
    });
    child.stdin.on('error', () => {
      /* the child may exit before reading its input; its exit code tells */
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** Run a command and return its stdout; throws WeftError on a non-zero exit. */
export async function exec(cmd: string, args: readonly string[], opts: ExecOptions = {}): Promise<string> {
  return (await execFull(cmd, args, opts)).stdout;
}
