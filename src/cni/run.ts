/**
 * One plugin invocation from the outside: CNI environment + stdin in, what a
 * plugin executable prints (stdout, stderr) and its exit code out. The one
 * edge where anything thrown becomes the spec's error object. Shared by the
 * full Node plugin (main.ts) and the agent running forwarded invocations
 * (invokeServer.ts), so both answer byte for byte alike.
 */
import { CniCode, cniError, toCniErrorResult } from './codes.ts';
import { DEFAULT_VERSION } from './netconf.ts';
import { runPlugin } from './plugin.ts';
import type { PluginDeps } from './plugin.ts';
import { parseEnv } from './skel.ts';

/** What the plugin executable prints and how it exits. */
export interface CniOutput {
  code: number;
  stdout: string;
  stderr: string;
}

/** The plugin's effects; diagnostics are collected into CniOutput.stderr. */
export type PluginEffects = Omit<PluginDeps, 'warn'>;

/** The cniVersion to answer errors with: the configuration's when it has one. */
export function versionOf(stdin: string): string {
  try {
    const v = (JSON.parse(stdin) as { cniVersion?: unknown }).cniVersion;
    return typeof v === 'string' && v !== '' ? v : DEFAULT_VERSION;
  } catch {
    return DEFAULT_VERSION;
  }
}

/** The output of a failed invocation: the spec error on stdout, a diagnostic on stderr, exit 1. */
export function errorOutput(env: Record<string, string | undefined>, stdin: string, err: unknown, warnings: string[] = []): CniOutput {
  const result = toCniErrorResult(err, versionOf(stdin));
  const line = `weft-cni: ${env['CNI_COMMAND'] ?? '?'} failed (code ${result.code}): ${result.msg}\n`;
  return { code: 1, stdout: `${JSON.stringify(result)}\n`, stderr: warnings.join('') + line };
}

/** The output when stdin cannot be read (code 5). */
export function stdinFailure(env: Record<string, string | undefined>, why: string): CniOutput {
  return errorOutput(env, '', cniError(CniCode.IoFailure, `cannot read the network configuration from stdin: ${why}`));
}

export async function runCni(env: Record<string, string | undefined>, stdin: string, effects: PluginEffects): Promise<CniOutput> {
  const warnings: string[] = [];
  const deps: PluginDeps = { ...effects, warn: (msg) => warnings.push(`weft-cni: ${msg}\n`) };
  try {
    const out = await runPlugin(parseEnv(env), stdin, deps);
    return { code: 0, stdout: out === undefined ? '' : `${JSON.stringify(out)}\n`, stderr: warnings.join('') };
  } catch (err) {
    return errorOutput(env, stdin, err, warnings);
  }
}
