/**
 * Entry point of the full Node plugin (bin/weft-cni): does the whole
 * invocation in this process — wiring with `ip`, IPAM and endpoint
 * registration through the agent's socket. The fast executable bin/cni/weft
 * forwards invocations to the agent instead and falls back to this one when
 * it cannot (see README.md). The edge: environment + stdin in, one JSON
 * document on stdout, diagnostics on stderr, exit 1 on error. Keep this
 * import graph tiny: Node's startup is most of this path's cost.
 */
import { existsSync } from 'node:fs';
import { errorMessage } from '../errors.ts';
import { connectAgent } from './client.ts';
import { runCni, stdinFailure } from './run.ts';
import type { CniOutput } from './run.ts';
import { ipPodNetwork } from './wire.ts';

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  // a stream, not readFileSync(0): stdin may be a non-blocking socket whose writer is not done yet
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<CniOutput> {
  let stdin: string;
  try {
    stdin = await readStdin();
  } catch (err) {
    return stdinFailure(process.env, errorMessage(err));
  }
  return runCni(process.env, stdin, { connect: (socketPath) => connectAgent(socketPath), net: ipPodNetwork, netnsExists: (p) => existsSync(p) });
}

const out = await main();
if (out.stderr !== '') process.stderr.write(out.stderr);
if (out.stdout !== '') process.stdout.write(out.stdout);
process.exitCode = out.code;
