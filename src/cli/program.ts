/**
 * The `weft` command line. Each command lives in its own file and registers
 * itself here; main.ts runs it.
 */
import { Command, CommanderError } from 'commander';
import { errorMessage, isWeftError } from '../errors.ts';
import { registerLab } from './lab.ts';
import { registerConfig } from './config.ts';
import { registerOperator } from './operator.ts';
import { registerMeshProxy } from './meshProxy.ts';
import { registerAgent } from './agent.ts';
import { registerResources } from './resources.ts';
import { registerNode } from './node.ts';
import { registerExec } from './exec.ts';
import { registerDemo } from './demo.ts';
import { registerCniServeCommands } from './cni.ts';
import { registerStatus } from './status.ts';
import { registerClusterMesh } from './clustermesh.ts';
import { registerServices } from './services.ts';
import { registerPolicy } from './policy.ts';
import { registerMonitor } from './monitor.ts';
import { registerObserve } from './observe.ts';
import { registerIdentity } from './identity.ts';
import { registerEndpoint } from './endpoint.ts';
import { endpointDrops, endpointEnforcement } from './endpointPolicy.ts';
import { registerWait } from './wait.ts';
import { registerConnectivity } from './connectivity.ts';
import { registerUi } from './ui.ts';
import { acceptRequestTimeoutEverywhere, requestTimeoutOption } from './requestTimeout.ts';

export function buildProgram(): Command {
  const program = new Command('weft')
    .description('Weft: a cluster mesh for Linux (pods across clusters, global services, identity policy)')
    .option('--context <name>', 'cluster context to use (see `weft config get-contexts`)')
    .addOption(requestTimeoutOption())
    .enablePositionalOptions()
    .showHelpAfterError()
    .exitOverride();
  registerLab(program);
  registerConfig(program);
  registerResources(program);
  registerNode(program);
  registerServices(program);
  registerPolicy(program);
  registerIdentity(program);
  registerEndpoint(program, { enforcement: endpointEnforcement, drops: endpointDrops });
  registerStatus(program);
  registerMonitor(program);
  registerObserve(program);
  registerClusterMesh(program);
  registerConnectivity(program);
  registerUi(program);
  registerExec(program);
  registerWait(program);
  registerDemo(program);
  registerOperator(program);
  registerMeshProxy(program);
  registerAgent(program);
  registerCniServeCommands(program);
  acceptRequestTimeoutEverywhere(program);
  return program;
}

export async function runCli(): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    const code = isWeftError(err) ? err.code : 'Error';
    process.stderr.write(`Error (${code}): ${errorMessage(err)}\n`);
    process.exitCode = 1;
  }
}

/**
 * The command is done (daemons return only once stopped): exit as soon as
 * nothing is pending, and at the latest after a short grace even if a handle
 * still holds the event loop. grpc-js cannot cancel a TLS handshake to a
 * frozen etcd, so closing the client leaves that socket open until the peer
 * answers; without this the CLI would print its error and then hang.
 */
const EXIT_GRACE_MS = 500;
export function exitSoon(): void {
  setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
}
