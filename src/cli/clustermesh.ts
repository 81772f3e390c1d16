/**
 * `weft clustermesh …`: the command group; each subcommand registers itself
 * from its own file (clustermeshEnable.ts, clustermeshConnect.ts).
 */
import type { Command } from 'commander';
import { registerClusterMeshConnect } from './clustermeshConnect.ts';
import { registerClusterMeshEnable } from './clustermeshEnable.ts';

const CONTEXT_FLAG = '--context <name>';

/**
 * Lets `--context` follow the subcommand too (`weft clustermesh enable
 * --context c1`, as in the cilium CLI); the global flag before the command
 * keeps working (commands read it with optsWithGlobals).
 */
function acceptContextAfterSubcommand(group: Command): void {
  for (const sub of group.commands) {
    if (!sub.options.some((o) => o.long === '--context')) sub.option(CONTEXT_FLAG, 'cluster context to use (same as the global --context)');
  }
}

export function registerClusterMesh(program: Command): void {
  const group = program.command('clustermesh').description('connect clusters into a mesh: enable (PKI, etcd mTLS + RBAC), connect, disconnect, status');
  registerClusterMeshEnable(group);
  registerClusterMeshConnect(group);
  acceptContextAfterSubcommand(group);
}
