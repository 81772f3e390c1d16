/**
 * A long-lived `ip -o -batch -` that runs batches one after another in one
 * network namespace, so the agent pays `ip`'s start (~3-5 ms) once instead of
 * on every pod. Each batch is followed by the marker `link show dev lo`: ip
 * prints (and flushes) its one line only once every earlier line succeeded.
 * Without -force, ip exits at the first failing line, so a batch either
 * completes or fails exactly like a one-shot `ip -batch -` would, with the
 * same message (line numbers counted from the batch's first line). After a
 * failure, a crash or idleTimeoutMs without work the process is gone and the
 * next batch starts a new one.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { WeftError, ErrorCode } from '../errors.ts';

const MARKER = 'link show dev lo\n';

export interface IpSessionOptions {
  /** argv that runs `ip -o -batch -` (maybe under nsenter). */
  argv: readonly [string, ...string[]];
  /** The command as messages name it; default: argv without -o. */
  name?: string;
  timeoutMs?: number;
  idleTimeoutMs?: number;
}

interface Live {
  child: ChildProcessWithoutNullStreams;
  /** Lines written so far (ip numbers them from 1 over the process's life). */
  lines: number;
  stdout: string;
  stderr: string;
  /** Settles the batch in flight. */
  onLine: (() => void) | undefined;
  onExit: ((code: number | null, signal: NodeJS.Signals | null) => void) | undefined;
  exited: boolean;
}

function countLines(batch: string): number {
  return batch.split('\n').filter((l) => l.trim() !== '').length;
}

/** Runs `ip -batch` scripts somewhere. */
export interface IpBatchRunner {
  run(batch: string): Promise<void>;
}

export class IpSession implements IpBatchRunner {
  readonly #argv: readonly [string, ...string[]];
  readonly #shown: string;
  readonly #timeoutMs: number;
  readonly #idleMs: number;
  #live: Live | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #idle: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(opts: IpSessionOptions) {
    this.#argv = opts.argv;
    this.#shown = opts.name ?? opts.argv.filter((a) => a !== '-o').join(' ');
    this.#timeoutMs = opts.timeoutMs ?? 15_000;
    this.#idleMs = opts.idleTimeoutMs ?? 30_000;
  }

  /** The running process's pid (diagnostics, tests). */
  get pid(): number | undefined {
    return this.#live?.child.pid;
  }

  #start(argv: readonly [string, ...string[]]): Live {
    const [cmd, ...args] = argv;
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const live: Live = { child, lines: 0, stdout: '', stderr: '', exited: false, onLine: undefined, onExit: undefined };
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      live.stdout += d;
      if (live.stdout.includes('\n')) {
        live.stdout = '';
        live.onLine?.();
      }
    });
    child.stderr.on('data', (d: string) => (live.stderr += d));
    child.stdin.on('error', () => undefined); // ip exited; 'close' reports it
    child.on('error', () => undefined); // spawn failure: 'close' follows with code null
    child.on('close', (code, signal) => {
      live.exited = true;
      if (this.#live === live) this.#live = undefined;
      live.onExit?.(code, signal);
    });
    return live;
  }

  /**
   * Run one batch (lines ending in \n, printing nothing on success); resolves
   * when every line succeeded. startArgv: how to start ip if no process is
   * running (default: the session's argv) — e.g. through the caller's own
   * /proc/<pid>/ns/net, which outlives only that caller.
   */
  run(batch: string, startArgv: readonly [string, ...string[]] = this.#argv): Promise<void> {
    if (this.#closed) return Promise.reject(new WeftError(ErrorCode.CommandFailed, `${this.#shown} is closed`));
    const next = this.#queue.then(() => this.#runNow(batch, startArgv));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  #runNow(batch: string, startArgv: readonly [string, ...string[]]): Promise<void> {
    clearTimeout(this.#idle);
    const live = this.#live ?? (this.#live = this.#start(startArgv));
    const first = live.lines;
    live.lines += countLines(batch) + 1;
    live.stderr = '';
    return new Promise<void>((resolve, reject) => {
      const done = (err?: WeftError): void => {
        clearTimeout(timer);
        live.onLine = undefined;
        live.onExit = undefined;
        this.#armIdle();
        if (err === undefined) resolve();
        else reject(err);
      };
      const timer = setTimeout(() => {
        live.child.kill('SIGKILL');
        done(new WeftError(ErrorCode.Timeout, `${this.#shown} timed out after ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      live.onLine = () => done();
      live.onExit = (code, signal) => {
        // "Command failed -:N" counts from the process's first line; the caller counts from its batch's
        const why = live.stderr.replace(/Command failed -:(\d+)/g, (_, n: string) => `Command failed -:${Number(n) - first}`).trim();
        const exit = code ?? -1;
        done(new WeftError(ErrorCode.CommandFailed, `${this.#shown} failed (exit ${exit}): ${why || (signal ? `killed by ${signal}` : `exit ${exit}`)}`, { details: { cmd: this.#argv[0], code: exit, stderr: live.stderr } }));
      };
      if (live.exited) {
        live.onExit(null, null);
        return;
      }
      live.child.stdin.write(batch + MARKER);
    });
  }

  #armIdle(): void {
    clearTimeout(this.#idle);
    this.#idle = setTimeout(() => this.#stop(), this.#idleMs);
    this.#idle.unref();
  }

  #stop(): void {
    const live = this.#live;
    this.#live = undefined;
    if (live !== undefined && !live.exited) live.child.stdin.end(); // ip exits at EOF
  }

  /** End the process (after the batches queued so far). */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#idle);
    await this.#queue;
    const live = this.#live;
    this.#stop();
    if (live !== undefined && !live.exited) await new Promise<void>((resolve) => live.child.once('close', () => resolve()));
  }
}

/**
 * Sessions by network namespace, at most `max` (the least recently used one
 * is closed). get() hands out a runner bound to the caller's argv, so a
 * session that has to start again starts through the current caller's path.
 */
export class IpSessionPool {
  readonly #sessions = new Map<string, IpSession>();
  readonly #max: number;
  #closed = false;

  constructor(max = 8) {
    this.#max = max;
  }

  /** A runner on the session for netns `key` (created with opts when there is none); it (re)starts ip with opts.argv. */
  get(key: string, opts: IpSessionOptions): IpBatchRunner {
    // the session is looked up per batch: one evicted meanwhile is replaced, never used closed
    return {
      run: (batch) =>
        this.#closed ? Promise.reject(new WeftError(ErrorCode.CommandFailed, `${opts.name ?? 'ip -batch -'} is closed: the agent is stopping`)) : this.#session(key, opts).run(batch, opts.argv),
    };
  }

  #session(key: string, opts: IpSessionOptions): IpSession {
    let s = this.#sessions.get(key);
    if (s !== undefined) this.#sessions.delete(key); // re-inserted: most recent last
    else s = new IpSession(opts);
    this.#sessions.set(key, s);
    for (const [k, old] of this.#sessions) {
      if (this.#sessions.size <= this.#max) break;
      this.#sessions.delete(k);
      void old.close();
    }
    return s;
  }

  /** The session for key, if any (tests). */
  peek(key: string): IpSession | undefined {
    return this.#sessions.get(key);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#sessions.values()];
    this.#sessions.clear();
    await Promise.all(all.map((s) => s.close()));
  }
}
