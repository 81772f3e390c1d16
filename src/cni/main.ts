/**
 * Entry point of the `weft` CNI plugin executable (bin/cni/weft). The edge:
 * environment + stdin in, one JSON document on stdout, diagnostics on stderr,
 * exit 1 on error. Keep this import graph tiny: it runs on every pod start.
 */
import { existsSync } from 'node:fs';
import { errorMessage } from '../errors.ts';
import { connectAgent } from './client.ts';
import { CniCode, cniError, toCniErrorResult } from './codes.ts';
import { DEFAULT_VERSION } from './netconf.ts';
import { runPlugin } from './plugin.ts';
import type { PluginDeps } from './plugin.ts';
import { parseEnv } from './skel.ts';
import { ipPodNetwork } from './wire.ts';

const deps: PluginDeps = {
  connect: (socketPath) => connectAgent(socketPath),
  net: ipPodNetwork,
  netnsExists: (p) => existsSync(p),
  warn: (msg) => process.stderr.write(`weft-cni: ${msg}\n`),
};

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  try {
    // a stream, not readFileSync(0): stdin may be a non-blocking socket whose writer is not done yet
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  } catch (err) {
    throw cniError(CniCode.IoFailure, `cannot read the network configuration from stdin: ${errorMessage(err)}`);
  }
}

/** The cniVersion to answer errors with: the configuration's when it has one. */
function versionOf(stdin: string): string {
  try {
    const v = (JSON.parse(stdin) as { cniVersion?: unknown }).cniVersion;
    return typeof v === 'string' && v !== '' ? v : DEFAULT_VERSION;
  } catch {
    return DEFAULT_VERSION;
  }
}

async function main(): Promise<void> {
  let stdin = '';
  try {
    stdin = await readStdin();
    const out = await runPlugin(parseEnv(process.env), stdin, deps);
    if (out !== undefined) process.stdout.write(`${JSON.stringify(out)}\n`);
  } catch (err) {
    const result = toCniErrorResult(err, versionOf(stdin));
    process.stdout.write(`${JSON.stringify(result)}\n`);
    deps.warn(`${process.env['CNI_COMMAND'] ?? '?'} failed (code ${result.code}): ${result.msg}`);
    process.exitCode = 1;
  }
}

await main();
