/**
 * `weft exec [-n NS] POD -- CMD…`: run a command inside a pod the way its
 * own processes run (podSandbox.ts): in the mount and network namespaces of
 * one of its processes (so its resolv.conf, hidden folders and volumes apply),
 * as the pod's uid, with no capabilities and the pod's environment.
 */
import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { getJson } from '../kvstore/json.ts';
import { keys } from '../kvstore/keys.ts';
import { PodStatus } from '../model/state.ts';
import { WeftError, ErrorCode } from '../errors.ts';
import { netnsExists } from '../runtime/netns.ts';
import { podExecArgv } from '../runtime/podSandbox.ts';
import { podExecTarget } from '../runtime/podExec.ts';
import { withKv } from './kv.ts';

/** The status of a Running pod whose network namespace is on this machine; NotFound/Conflict otherwise. */
export async function runningPodStatus(cmd: Command, ns: string, pod: string): Promise<PodStatus> {
  const status = await withKv(cmd, (kv) => getJson(kv, keys.podStatus(ns, pod), PodStatus));
  if (status === undefined) throw new WeftError(ErrorCode.NotFound, `pod "${pod}" not found in namespace "${ns}" (try \`weft get pods -n ${ns}\`)`);
  if (status.phase !== 'Running' || status.netns === '') {
    throw new WeftError(ErrorCode.Conflict, `pod ${ns}/${pod} is ${status.phase}, not Running${status.message ? `: ${status.message}` : ''}`);
  }
  if (!netnsExists(status.netns)) {
    throw new WeftError(ErrorCode.NotFound, `pod ${ns}/${pod}: its network namespace ${status.netns} is not on this machine`);
  }
  return status;
}

export function registerExec(program: Command): void {
  program
    .command('exec')
    .description('run a command in a pod (its network namespace), like kubectl exec')
    .option('-n, --namespace <ns>', 'namespace of the pod', 'default')
    .argument('<pod>', 'pod name (or pod/NAME, as `weft get pods -o name` prints it)')
    .argument('<command...>', 'command and arguments (after --)')
    .passThroughOptions()
    .action(async (pod: string, command: string[], opts: { namespace: string }, cmd: Command) => {
      const name = pod.startsWith('pod/') ? pod.slice(4) : pod;
      const status = await runningPodStatus(cmd, opts.namespace, name);
      const target = podExecTarget(`${opts.namespace}/${name}`, status.pids);
      // With pass-through options commander keeps the "--" separator; it is not part of the command.
      const [bin, ...args] = command[0] === '--' ? command.slice(1) : command;
      if (bin === undefined) throw new WeftError(ErrorCode.InvalidInput, 'no command given: weft exec POD -- CMD [ARGS…]');
      const [nsenter = 'nsenter', ...argv] = podExecArgv(target.pid, target.uid, [bin, ...args]);
      const env = { PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...target.env };
      const child = spawn(nsenter, argv, { stdio: 'inherit', env });
      const code = await new Promise<number>((resolve) => {
        child.on('close', (c, signal) => resolve(c ?? (signal ? 128 : 1)));
        child.on('error', () => resolve(127));
      });
      process.exitCode = code;
    });
}
