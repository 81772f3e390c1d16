/**
 * `--request-timeout`, as kubectl's: how long the CLI waits for each etcd
 * request before giving up. A duration (`500ms`, `5s`, `1m`), a bare integer
 * of seconds, or `0` for no limit. Accepted before or after the subcommand.
 */
import { Option, type Command } from 'commander';
import { WeftError, ErrorCode } from '../errors.ts';
import { parseDuration } from '../util/duration.ts';

export const DEFAULT_REQUEST_TIMEOUT_MS = 5000;
const FLAG = '--request-timeout <duration>';
const HELP = 'how long to wait for each etcd request, e.g. 500ms, 5s, 1m (0 = no limit)';

/** Milliseconds of a --request-timeout value; 0 means no limit. */
export function parseRequestTimeout(text: string): number {
  const s = text.trim();
  // kubectl (client-go ParseTimeout): a bare non-negative integer is seconds.
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  if (/^(?:0+(?:\.0+)?(?:ms|s|m|h))+$/.test(s)) return 0;
  try {
    return parseDuration(s);
  } catch (err) {
    throw new WeftError(ErrorCode.InvalidInput, `--request-timeout "${text}" is not a duration like 500ms, 5s or 1m, a number of seconds, or 0 for no limit`, { cause: err });
  }
}

/** The global option, with its default. */
export function requestTimeoutOption(): Option {
  return new Option(FLAG, HELP).argParser(parseRequestTimeout).default(DEFAULT_REQUEST_TIMEOUT_MS, '5s');
}

/**
 * Let every subcommand take the flag after its name too (`weft get pods --request-timeout 2s`).
 * No default there, so the global value shows through when the flag is not repeated.
 */
export function acceptRequestTimeoutEverywhere(program: Command): void {
  const visit = (cmd: Command): void => {
    for (const sub of cmd.commands) {
      if (!sub.options.some((o) => o.long === '--request-timeout')) sub.addOption(new Option(FLAG, HELP).argParser(parseRequestTimeout).hideHelp());
      visit(sub);
    }
  };
  visit(program);
}

/** The request timeout in force for the command (ms, 0 = no limit): the flag nearest the command wins. */
export function requestTimeoutOf(cmd: Command): number {
  // Not optsWithGlobals(): there the root's default would hide a value given after the subcommand.
  for (let c: Command | null = cmd; c !== null; c = c.parent) {
    const v = c.opts<{ requestTimeout?: number }>().requestTimeout;
    if (v !== undefined) return v;
  }
  return DEFAULT_REQUEST_TIMEOUT_MS;
}
