/**
 * A long-lived `nft -i` (thin): small transactions without a process per
 * sync. Why: when the netlink socket of a transaction that deleted anything
 * closes, the kernel waits for an RCU grace period (measured 8-15 ms on the
 * lab VM, in close(2) of `nft -f`), which would dominate a one-element change;
 * a session keeps its socket open and one transaction costs ~1 ms.
 *
 * Framing: each transaction is written as ONE line (commands joined by `;`,
 * which nft applies as one atomic batch), followed by a marker line
 * `weftsync<N>` that nft rejects as a syntax error, echoing it: once the
 * marker is echoed, every output before it belongs to the transaction, and
 * any `Error:` line there means it failed (nothing of it applied).
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { WeftError, ErrorCode } from '../../errors.ts';

export interface NftSession {
  /** Apply `lines` (nft commands, no newline inside) as one transaction; throws WeftError(CommandFailed) with nft's error. */
  apply(lines: readonly string[]): Promise<void>;
  /** End the session (nft exits on end of input). */
  close(): Promise<void>;
}

/**
 * A session opened on first use; a failed transaction closes it, so the next
 * use opens a fresh one (the appliers then resync from the kernel).
 */
export class LazyNftSession {
  readonly #open: () => NftSession;
  #session: NftSession | undefined;

  constructor(open: () => NftSession) {
    this.#open = open;
  }

  async apply(lines: readonly string[]): Promise<void> {
    this.#session ??= this.#open();
    try {
      await this.#session.apply(lines);
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  async close(): Promise<void> {
    const s = this.#session;
    this.#session = undefined;
    await s?.close();
  }
}

export interface NftSessionOptions {
  /** Per transaction (default 30 s): past it the session is killed and the call fails. */
  timeoutMs?: number;
}

const MARKER = 'weftsync';

/** What nft printed for transaction `n` (everything before marker n), as an error message or undefined. */
export function transactionError(output: string, n: number): string | undefined {
  const lines = output.split('\n');
  const at = lines.indexOf(`${MARKER}${n}`);
  const own = at > 0 && lines[at - 1]?.startsWith('Error:') === true ? at - 1 : at;
  const before = lines.slice(0, Math.max(own, 0));
  if (!before.some((l) => l.startsWith('Error:'))) return undefined;
  const first = before.findIndex((l) => l.startsWith('Error:'));
  return before.slice(first).join('\n').trim();
}

class SpawnedNftSession implements NftSession {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #timeoutMs: number;
  readonly #what: string;
  #out = '';
  #n = 0;
  #dead: string | undefined;
  #pending: { n: number; resolve: () => void; reject: (e: Error) => void } | undefined;
  #queue: Promise<void> = Promise.resolve();

  constructor(argv: readonly string[], opts: NftSessionOptions) {
    this.#timeoutMs = opts.timeoutMs ?? 30_000;
    this.#what = `${argv.join(' ')} -i`;
    // stderr joins stdout so that errors and the marker's echo arrive in order.
    this.#child = spawn('sh', ['-c', 'exec "$@" -i 2>&1', 'sh', ...argv], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child.stdout.on('data', (b: Buffer) => this.#onOutput(b.toString()));
    this.#child.stdin.on('error', () => undefined); // a dead child is reported by 'close'
    this.#child.on('close', (code) => this.#fail(`${this.#what} exited with ${code ?? 'a signal'}: ${this.#out.trim().slice(-300)}`));
    this.#child.on('error', (e) => this.#fail(`${this.#what} could not start: ${e.message}`));
  }

  #fail(why: string): void {
    this.#dead ??= why;
    const p = this.#pending;
    this.#pending = undefined;
    p?.reject(new WeftError(ErrorCode.CommandFailed, why));
  }

  #onOutput(text: string): void {
    this.#out += text;
    const p = this.#pending;
    if (p === undefined || !new RegExp(`(^|\n)${MARKER}${p.n}\n`).test(this.#out)) return;
    const error = transactionError(this.#out, p.n);
    this.#out = '';
    this.#pending = undefined;
    if (error === undefined) p.resolve();
    else p.reject(new WeftError(ErrorCode.CommandFailed, `${this.#what} failed: ${error.slice(0, 2000)}`));
  }

  apply(lines: readonly string[]): Promise<void> {
    const run = this.#queue.then(() => this.#applyNow(lines));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #applyNow(lines: readonly string[]): Promise<void> {
    if (this.#dead !== undefined) return Promise.reject(new WeftError(ErrorCode.CommandFailed, this.#dead));
    if (lines.some((l) => l.includes('\n'))) return Promise.reject(new WeftError(ErrorCode.InvalidInput, 'an nft session command holds a newline'));
    const n = ++this.#n;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#fail(`${this.#what}: no answer to transaction ${n} after ${this.#timeoutMs} ms`);
        this.#child.kill('SIGKILL');
      }, this.#timeoutMs);
      this.#pending = {
        n,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.#child.stdin.write(`${lines.join('; ')}\n${MARKER}${n}\n`);
    });
  }

  async close(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.#child.once('close', () => resolve()));
    this.#child.stdin.end();
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * Start `<argv> -i`, e.g. ['nft'] in the agent (it runs in its node's netns), or
 * ['ip', 'netns', 'exec', ns, 'nft'] / ['nsenter', '--net=/run/netns/<ns>', 'nft'] from outside.
 */
export function spawnNftSession(argv: readonly string[], opts: NftSessionOptions = {}): NftSession {
  return new SpawnedNftSession(argv, opts);
}
