/**
 * The runtime's side of CNI (what libcni does for containerd): run each plugin
 * of a configuration list with the CNI environment and its configuration on
 * stdin, chaining results through prevResult; DEL runs the chain in reverse.
 * Used by Weft's own pod runtime, tests and benchmarks.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { WeftError, ErrorCode } from '../errors.ts';
import type { CniResult } from './result.ts';

export type { CniResult } from './result.ts';

export interface CniConfList {
  cniVersion: string;
  name: string;
  plugins: object[];
  disableCheck?: boolean;
}

export interface CniInvokeRequest {
  command: 'ADD' | 'DEL' | 'CHECK';
  containerId: string;
  /** Network namespace path ('' allowed for DEL). */
  netns: string;
  ifName: string;
  /** Becomes CNI_ARGS (K=V;K=V). */
  args?: Readonly<Record<string, string>>;
  cniPath: readonly string[];
  /** Values for the plugins' declared capabilities (portMappings, bandwidth, …), injected as runtimeConfig. */
  capabilityArgs?: Readonly<Record<string, unknown>>;
  timeoutMs?: number;
  /** argv prefix each plugin runs under, e.g. ['ip', 'netns', 'exec', 'node1'] (tests, benchmarks); none by default. */
  execPrefix?: readonly string[];
}

/** The plugin executable for a type, from the first cniPath folder holding it. */
export function findPlugin(type: string, cniPath: readonly string[]): string {
  if (type === '' || type.includes('/')) throw new WeftError(ErrorCode.CniError, `CNI plugin type "${type}" is not a plain executable name`);
  for (const dir of cniPath) {
    const file = path.join(dir, type);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      /* try the next folder */
    }
  }
  throw new WeftError(ErrorCode.CniError, `CNI plugin "${type}" not found in ${cniPath.join(':') || '(empty CNI path)'}`);
}

/** The configuration one plugin of the list receives (libcni's injection of name, cniVersion, runtimeConfig, prevResult). */
export function pluginConfig(list: CniConfList, plugin: object, req: CniInvokeRequest, prevResult: CniResult | undefined): Record<string, unknown> {
  const conf: Record<string, unknown> = { ...(plugin as Record<string, unknown>), name: list.name, cniVersion: list.cniVersion };
  const caps = conf['capabilities'];
  if (typeof caps === 'object' && caps !== null && req.capabilityArgs !== undefined) {
    const runtime: Record<string, unknown> = {};
    for (const [cap, on] of Object.entries(caps as Record<string, unknown>)) {
      if (on === true && req.capabilityArgs[cap] !== undefined) runtime[cap] = req.capabilityArgs[cap];
    }
    if (Object.keys(runtime).length > 0) conf['runtimeConfig'] = { ...(conf['runtimeConfig'] as object | undefined), ...runtime };
  }
  if (prevResult !== undefined) conf['prevResult'] = prevResult;
  else delete conf['prevResult'];
  return conf;
}

function pluginEnv(req: CniInvokeRequest): NodeJS.ProcessEnv {
  const args = Object.entries(req.args ?? {}).map(([k, v]) => `${k}=${v}`).join(';');
  return {
    PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    CNI_COMMAND: req.command,
    CNI_CONTAINERID: req.containerId,
    CNI_NETNS: req.netns,
    CNI_IFNAME: req.ifName,
    CNI_ARGS: args,
    CNI_PATH: req.cniPath.join(':'),
  };
}

function failure(type: string, req: CniInvokeRequest, stdout: string, stderr: string, exit: number | string): WeftError {
  let parsed: { code?: unknown; msg?: unknown; details?: unknown } | undefined;
  try {
    parsed = JSON.parse(stdout) as typeof parsed;
  } catch {
    parsed = undefined;
  }
  if (parsed !== undefined && typeof parsed.code === 'number') {
    const msg = typeof parsed.msg === 'string' ? parsed.msg : '';
    const details = typeof parsed.details === 'string' && parsed.details !== '' ? `: ${parsed.details}` : '';
    return new WeftError(ErrorCode.CniError, `CNI plugin ${type} ${req.command} failed (code ${parsed.code}): ${msg}${details}`, {
      details: { plugin: type, cniCode: parsed.code, msg, details: parsed.details },
    });
  }
  const why = stderr.trim() || stdout.trim() || `exit ${exit}`;
  return new WeftError(ErrorCode.CniError, `CNI plugin ${type} ${req.command} failed (exit ${exit}): ${why}`, { details: { plugin: type, stderr } });
}

/** Run one plugin; its stdout parsed as JSON (undefined when it printed nothing). */
export async function runPlugin(file: string, type: string, conf: object, req: CniInvokeRequest): Promise<unknown> {
  const timeoutMs = req.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = [...(req.execPrefix ?? []), file];
    const child = spawn(cmd ?? file, args, { env: pluginEnv(req), stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new WeftError(ErrorCode.CniError, `cannot run CNI plugin ${file}: ${e.message}`, { cause: e }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (code !== 0) {
        reject(failure(type, req, stdout, stderr, code ?? signal ?? 'unknown'));
        return;
      }
      if (stdout.trim() === '') {
        resolve(undefined);
        return;
      }
      try {
        resolve(JSON.parse(stdout));
      } catch {
        reject(new WeftError(ErrorCode.CniError, `CNI plugin ${type} ${req.command} printed invalid JSON: ${stdout.slice(0, 200)}`));
      }
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(JSON.stringify(conf));
  });
}

function typeOf(plugin: object): string {
  const t = (plugin as { type?: unknown }).type;
  if (typeof t !== 'string') throw new WeftError(ErrorCode.CniError, `CNI plugin configuration ${JSON.stringify(plugin)} has no "type"`);
  return t;
}

/**
 * Run the chain. ADD returns the last plugin's result; DEL (reverse order)
 * and CHECK return undefined. prevResult: the cached ADD result, for DEL and
 * CHECK (required by CHECK).
 */
export async function invokeChain(list: CniConfList, req: CniInvokeRequest, prevResult?: CniResult): Promise<CniResult | undefined> {
  if (list.plugins.length === 0) throw new WeftError(ErrorCode.CniError, `CNI configuration list "${list.name}" has no plugins`);
  const files = list.plugins.map((p) => findPlugin(typeOf(p), req.cniPath));
  switch (req.command) {
    case 'ADD': {
      let result = prevResult;
      for (const [i, plugin] of list.plugins.entries()) {
        const out = await runPlugin(files[i] ?? '', typeOf(plugin), pluginConfig(list, plugin, req, result), req);
        if (typeof out !== 'object' || out === null) throw new WeftError(ErrorCode.CniError, `CNI plugin ${typeOf(plugin)} ADD printed no result`);
        result = out as CniResult;
      }
      return result;
    }
    case 'DEL':
      for (let i = list.plugins.length - 1; i >= 0; i--) {
        const plugin = list.plugins[i] ?? {};
        await runPlugin(files[i] ?? '', typeOf(plugin), pluginConfig(list, plugin, req, prevResult), req);
      }
      return undefined;
    case 'CHECK':
      if (list.disableCheck === true) return undefined;
      if (prevResult === undefined) throw new WeftError(ErrorCode.CniError, `CNI CHECK of container ${req.containerId} needs the cached ADD result (prevResult)`);
      for (const [i, plugin] of list.plugins.entries()) {
        await runPlugin(files[i] ?? '', typeOf(plugin), pluginConfig(list, plugin, req, prevResult), req);
      }
      return undefined;
  }
}
