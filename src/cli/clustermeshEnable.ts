/**
 * `weft clustermesh enable --context c1 [--create-ca | --inherit-ca c0]`
 * (like `cilium clustermesh enable`): the cluster's etcd switches to mTLS
 * with client-certificate auth and RBAC; see src/clustermesh/enable.ts.
 */
import type { Command } from 'commander';
import { enableClusterMesh } from '../clustermesh/enable.ts';
import { parseCaChoice } from '../clustermesh/enableCa.ts';
import { streamProgress } from '../lab/progress.ts';
import { outputOption } from './config.ts';
import { printJson } from './output.ts';

interface EnableFlags {
  createCa?: boolean;
  inheritCa?: string;
  output: string;
}

export function registerClusterMeshEnable(group: Command): void {
  group
    .command('enable')
    .description("secure the cluster's etcd for the mesh: CA, certificates, https with client-certificate auth, RBAC; restarts etcd, operator and agents (pods keep running)")
    .option('--create-ca', 'create a new mesh CA (the default when the cluster has none)')
    .option('--inherit-ca <context>', "use the CA of another cluster's context (clusters of one mesh share a CA)")
    .addOption(outputOption())
    .action(async (opts: EnableFlags, cmd: Command) => {
      const ca = parseCaChoice(opts);
      const json = opts.output === 'json';
      const { context } = cmd.optsWithGlobals<{ context?: string }>();
      const result = await enableClusterMesh({ context, ca, progress: streamProgress(json ? process.stderr : process.stdout) });
      if (json) printJson(result);
    });
}
