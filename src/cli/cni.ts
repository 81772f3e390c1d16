/**
 * `weft cni version | plugin-path | ipam <state-file>`: small helpers around the
 * `weft` CNI plugin (bin/cni/weft), which the agent serves on its unix socket.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { WeftError, ErrorCode } from '../errors.ts';
import { SUPPORTED_VERSIONS } from '../cni/netconf.ts';
import { parseIpamState } from '../cni/ipamState.ts';
import { CNI_BIN_DIR } from '../util/paths.ts';

export function registerCniServeCommands(program: Command): void {
  const cni = program.command('cni').description('the weft CNI plugin: versions, location, node address allocations');

  cni
    .command('version')
    .description('CNI spec versions the plugin supports')
    .action(() => {
      process.stdout.write(`weft CNI plugin: spec versions ${SUPPORTED_VERSIONS.join(', ')}\n`);
    });

  cni
    .command('plugin-path')
    .description('the folder to put on CNI_PATH (holds the `weft` plugin executable)')
    .action(() => {
      process.stdout.write(`${CNI_BIN_DIR}\n`);
    });

  cni
    .command('ipam')
    .argument('<state-file>', "an agent's IPAM state file")
    .description('list the pod addresses a node has allocated')
    .action((file: string) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        throw new WeftError(ErrorCode.NotFound, `cannot read IPAM state file ${file}: ${(err as Error).message}`);
      }
      const state = parseIpamState(file, text);
      process.stdout.write(`pod CIDR ${state.cidr}, ${state.allocations.length} allocated\n`);
      for (const a of state.allocations) {
        const pod = a.podNamespace !== undefined && a.podName !== undefined ? `${a.podNamespace}/${a.podName}` : '-';
        process.stdout.write(`${a.ip.padEnd(16)} ${pod.padEnd(40)} ${a.containerId} ${a.ifName}\n`);
      }
    });
}
