/**
 * The effects of pod wiring: runs the `ip -batch` scripts of veth.ts in the
 * node's netns and, through nsenter, in the pod's: two `ip` processes per ADD,
 * the fewest possible (one ip process works in one netns). The node's netns is
 * the running process's own, or the plugin caller's when the agent serves a
 * forwarded invocation from another netns (ipPodNetworkIn). Behind the
 * PodNetwork interface so the plugin logic can be tested with a fake.
 */
import { exec, execFull } from '../util/exec.ts';
import { WeftError, ErrorCode, errorMessage } from '../errors.ts';
import type { IpBatchRunner } from './ipSession.ts';
import { hostBatchCreatedVeth } from './veth.ts';
import type { ObservedNet, WirePlan } from './veth.ts';

/** What wire() created so far; a failed ADD removes only that. */
export interface WireProgress {
  /** The veth pair (plan.hostVeth and its pod-side peer) was created by this call. */
  hostVeth: boolean;
}

export interface PodNetwork {
  /**
   * Create and configure the veth pair; throws with ip's message on failure.
   * progress.hostVeth says, also after a failure, whether this call created the pair.
   */
  wire(plan: WirePlan, netns: string, progress: WireProgress): Promise<void>;
  /** Delete the pair by its host side; false when it did not exist. */
  unwire(hostVeth: string): Promise<boolean>;
  /** Links and main-table routes of the node's and the pod's netns. */
  observe(netns: string): Promise<{ host: ObservedNet; pod: ObservedNet }>;
}

const TIMEOUT_MS = 15_000;

function inNetns(netns: string, args: string[]): [string, string[]] {
  return ['nsenter', [`--net=${netns}`, 'ip', ...args]];
}

function parseObserved(stdout: string, where: string): ObservedNet {
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  try {
    const links = JSON.parse(lines[0] ?? '[]') as ObservedNet['links'];
    const routes = JSON.parse(lines[1] ?? '[]') as ObservedNet['routes'];
    return { links, routes };
  } catch (err) {
    throw new WeftError(ErrorCode.CommandFailed, `cannot parse ip -j output of the ${where} netns: ${(err as Error).message}`);
  }
}

const OBSERVE_BATCH = 'addr show\nroute show\n';

/**
 * Pod wiring with `ip`. hostNetns: path of the node's netns when it is not
 * this process's own (e.g. /proc/<pid>/ns/net of the plugin caller).
 * hostSession: a long-lived `ip -batch` in the node's netns (ipSession.ts)
 * for the node side of ADD, instead of a new `ip` per pod. DEL keeps its own
 * `ip link del`: deleting a veth may wait in the kernel for the device's
 * references to drop, and must not hold up the ADDs queued on the session.
 */
export function ipPodNetworkIn(hostNetns?: string, hostSession?: IpBatchRunner): PodNetwork {
  const onHost = (args: string[]): [string, string[]] => (hostNetns === undefined ? ['ip', args] : inNetns(hostNetns, args));
  return {
    async wire(plan, netns, progress) {
      const [hostCmd, hostArgs] = onHost(['-batch', '-']);
      try {
        if (hostSession !== undefined) await hostSession.run(plan.hostBatch);
        else await exec(hostCmd, hostArgs, { input: plan.hostBatch, timeoutMs: TIMEOUT_MS });
      } catch (err) {
        progress.hostVeth = hostBatchCreatedVeth(errorMessage(err));
        throw err;
      }
      progress.hostVeth = true;
      const [cmd, args] = inNetns(netns, ['-batch', '-']);
      await exec(cmd, args, { input: plan.podBatch, timeoutMs: TIMEOUT_MS });
    },
    async unwire(hostVeth) {
      const [cmd, args] = onHost(['link', 'del', 'dev', hostVeth]);
      const r = await execFull(cmd, args, { okCodes: [0, 1, 2], timeoutMs: TIMEOUT_MS });
      if (r.code === 0) return true;
      if (/Cannot find device/i.test(r.stderr)) return false;
      throw new WeftError(ErrorCode.CommandFailed, `ip link del dev ${hostVeth} failed (exit ${r.code}): ${r.stderr.trim()}`);
    },
    async observe(netns) {
      const [hostCmd, hostArgs] = onHost(['-j', '-batch', '-']);
      const host = await exec(hostCmd, hostArgs, { input: OBSERVE_BATCH, timeoutMs: TIMEOUT_MS });
      const [cmd, args] = inNetns(netns, ['-j', '-batch', '-']);
      const pod = await exec(cmd, args, { input: OBSERVE_BATCH, timeoutMs: TIMEOUT_MS });
      return { host: parseObserved(host, 'node'), pod: parseObserved(pod, 'pod') };
    },
  };
}

/** Pod wiring with `ip` in this process's own netns. */
export const ipPodNetwork: PodNetwork = ipPodNetworkIn();
