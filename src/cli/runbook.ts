/**
 * Runs `weft` commands the way a user would type them, echoing each one, for
 * `weft demo` and the walkthrough tests.
 */
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import pc from 'picocolors';
import { WeftError, ErrorCode } from '../errors.ts';
import { weftCommand } from '../util/paths.ts';

export interface StepResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface StepOptions {
  readonly quiet?: boolean;
  readonly allowFail?: boolean;
  readonly live?: boolean;
}

export interface RunbookOptions {
  /** Print commands and their output (default true). */
  readonly echo?: boolean;
}

export class Runbook {
  readonly #echo: boolean;

  constructor(opts: RunbookOptions = {}) {
    this.#echo = opts.echo ?? true;
  }

  say(text: string): void {
    if (this.#echo) process.stdout.write(`${text}\n`);
  }

  heading(text: string): void {
    this.say(`\n${pc.bold(pc.cyan(`==> ${text}`))}`);
  }

  /** Run `weft ARGS…`; with `quiet` the command is run but its output not shown. */
  async weft(args: readonly string[], opts: StepOptions = {}): Promise<StepResult> {
    const [bin, ...pre] = weftCommand();
    return this.#run('weft', bin ?? process.execPath, [...pre, ...args], args, opts);
  }

  /** Run `kubectl ARGS…` (the kubectl on PATH; Kubernetes-mode demo), shown and checked like `weft`. */
  async kubectl(args: readonly string[], opts: StepOptions = {}): Promise<StepResult> {
    return this.#run('kubectl', 'kubectl', args, args, opts);
  }

  async #run(name: string, bin: string, argv: readonly string[], args: readonly string[], opts: StepOptions): Promise<StepResult> {
    if (this.#echo && opts.quiet !== true) this.say(pc.dim(`$ ${name} ${args.map(quoteArg).join(' ')}`));
    const live = this.#echo && opts.quiet !== true && opts.live === true;
    const child = spawn(bin, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => {
      out.push(b);
      if (live) process.stdout.write(b);
    });
    child.stderr.on('data', (b: Buffer) => {
      err.push(b);
      if (live) process.stderr.write(b);
    });
    const code = await new Promise<number>((resolve) => {
      child.on('error', (e) => {
        err.push(Buffer.from(`${name}: ${e.message}\n`));
        resolve(127);
      });
      child.on('close', (c) => resolve(c ?? 1));
    });
    const res = { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
    if (this.#echo && opts.quiet !== true && !live) {
      if (res.stdout !== '') process.stdout.write(indent(res.stdout));
      if (res.stderr !== '') process.stdout.write(indent(res.stderr));
    }
    if (code !== 0 && opts.allowFail !== true) {
      throw new WeftError(ErrorCode.CommandFailed, `${name} ${args.join(' ')} exited ${code}: ${(res.stderr || res.stdout).trim()}`);
    }
    return res;
  }

  /** Poll `check` until it returns a value, showing a progress line; bounded by timeoutMs. */
  async waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
    const start = Date.now();
    let last = '';
    while (Date.now() - start < timeoutMs) {
      const v = await check().catch(() => undefined);
      if (v !== undefined) {
        this.say(`${pc.green('✅')} ${what} (${((Date.now() - start) / 1000).toFixed(1)}s)`);
        return v;
      }
      const secs = Math.floor((Date.now() - start) / 1000);
      if (this.#echo && `${secs}` !== last && secs % 5 === 0) {
        last = `${secs}`;
        this.say(pc.dim(`   … waiting: ${what} (${secs}s)`));
      }
      await sleep(250);
    }
    this.say(`${pc.red('❌')} ${what}: timed out after ${timeoutMs / 1000}s`);
    throw new WeftError(ErrorCode.Timeout, `timed out after ${timeoutMs / 1000}s waiting: ${what}`);
  }
}

function quoteArg(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => (l === '' ? l : `  ${l}`))
    .join('\n')
    .replace(/\n?$/, '\n');
}
