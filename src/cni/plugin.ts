/**
 * The plugin's commands: ADD allocates an address from the agent, wires the
 * veth and registers the endpoint; a failed ADD undoes what it created itself
 * and nothing else (undo.ts), and an ADD for a pair that is already attached
 * is refused without touching it. DEL tears down and releases (and succeeds
 * when there is nothing left); CHECK compares the wiring with what ADD set
 * up; STATUS and GC ask the agent. Effects come in through PluginDeps so the
 * logic is tested with fakes.
 */
import { errorMessage } from '../errors.ts';
import type { WeftError } from '../errors.ts';
import type { AgentClient } from './client.ts';
import { CniCode, cniError } from './codes.ts';
import { parseNetConf, checkVersion } from './netconf.ts';
import type { WeftNetConf } from './netconf.ts';
import { addResult, versionResult } from './result.ts';
import type { CniResult } from './result.ts';
import { podOf } from './skel.ts';
import type { CniInvocation } from './skel.ts';
import { hostVethName, planWiring, wiringProblems } from './veth.ts';
import { UndoLog } from './undo.ts';
import type { PodNetwork, WireProgress } from './wire.ts';

export interface PluginDeps {
  connect(socketPath: string): Promise<AgentClient>;
  net: PodNetwork;
  netnsExists(path: string): boolean;
  /**
   * Where this process opens the container's netns given CNI_NETNS (default:
   * the path itself). The agent serving a forwarded invocation from another
   * mount namespace reaches it through /proc/<pid>/root. Results and messages
   * keep CNI_NETNS as given.
   */
  netnsPath?(cniNetns: string): string;
  /** Diagnostics (stderr). */
  warn(msg: string): void;
}

async function withAgent<T>(deps: PluginDeps, conf: WeftNetConf, fn: (agent: AgentClient) => Promise<T>): Promise<T> {
  const agent = await deps.connect(conf.socket);
  try {
    return await fn(agent);
  } finally {
    agent.close();
  }
}

/** CNI_NETNS checked; the path this process opens it by. */
function requireNetns(inv: CniInvocation, deps: PluginDeps): string {
  if (/[\s"'\\]/.test(inv.netns)) throw cniError(CniCode.InvalidEnv, `CNI_NETNS "${inv.netns}" must not contain whitespace, quotes or backslashes`);
  const local = deps.netnsPath?.(inv.netns) ?? inv.netns;
  if (!deps.netnsExists(local)) {
    throw cniError(CniCode.UnknownContainer, `network namespace "${inv.netns}" (CNI_NETNS) of container ${inv.containerId} does not exist`);
  }
  return local;
}

/**
 * The spec's answer to an ADD for a pair that is already attached: "If an
 * interface of the requested name already exists in the container, the CNI
 * plugin MUST return with an error" (CNI 1.0). Code 4: the pair named by
 * CNI_CONTAINERID and CNI_IFNAME is the invalid input (see README.md).
 */
function alreadyAttached(inv: CniInvocation, ip: string): WeftError {
  return cniError(
    CniCode.InvalidEnv,
    `container ${inv.containerId} (CNI_CONTAINERID) already has interface ${inv.ifName} (CNI_IFNAME) attached with address ${ip}, host veth ${hostVethName(inv.containerId, inv.ifName)}: ADD again without DEL is refused and the existing attachment is left as it is`,
  );
}

async function cmdAdd(inv: CniInvocation, conf: WeftNetConf, deps: PluginDeps): Promise<CniResult> {
  const netns = requireNetns(inv, deps);
  const pod = podOf(inv.args);
  return withAgent(deps, conf, async (agent) => {
    const { ip, created } = await agent.allocate({ containerId: inv.containerId, ifName: inv.ifName, ...pod });
    if (!created) throw alreadyAttached(inv, ip); // nothing created, nothing to undo: the existing attachment stays whole
    const undo = new UndoLog();
    undo.created(`address ${ip} of container ${inv.containerId} ${inv.ifName}`, () => agent.release(inv.containerId, inv.ifName, ip));
    const plan = planWiring({ containerId: inv.containerId, ifName: inv.ifName, netns, ip, ...(conf.mtu === undefined ? {} : { mtu: conf.mtu }) });
    try {
      const progress: WireProgress = { hostVeth: false };
      try {
        await deps.net.wire(plan, netns, progress);
      } catch (err) {
        throw cniError(CniCode.WiringFailed, `cannot wire ${inv.ifName} of container ${inv.containerId} (${ip}, host veth ${plan.hostVeth}): ${errorMessage(err)}`);
      } finally {
        if (progress.hostVeth) undo.created(`host veth ${plan.hostVeth}`, () => deps.net.unwire(plan.hostVeth));
      }
      const ep = { containerId: inv.containerId, ifName: inv.ifName, netns: inv.netns, podNamespace: pod.podNamespace ?? '', podName: pod.podName ?? '', ip, hostVeth: plan.hostVeth };
      await agent.register(ep); // the last step: once it succeeds there is nothing left to undo
    } catch (err) {
      await undo.rollback((msg) => deps.warn(msg));
      throw err;
    }
    const mtu = conf.mtu === undefined ? {} : { mtu: conf.mtu };
    return addResult({ cniVersion: conf.cniVersion, hostVeth: plan.hostVeth, hostMac: plan.hostMac, ifName: inv.ifName, podMac: plan.podMac, netns: inv.netns, ip, ...mtu });
  });
}

async function cmdDel(inv: CniInvocation, conf: WeftNetConf, deps: PluginDeps): Promise<void> {
  await deps.net.unwire(hostVethName(inv.containerId, inv.ifName));
  await withAgent(deps, conf, (agent) => agent.del({ containerId: inv.containerId, ifName: inv.ifName, ...podOf(inv.args) }));
}

function prevResultProblems(prev: Record<string, unknown> | undefined, ip: string): string[] {
  if (prev === undefined) return [];
  const ips = Array.isArray(prev['ips']) ? (prev['ips'] as { address?: unknown }[]) : [];
  return ips.some((x) => x.address === `${ip}/32`) ? [] : [`prevResult does not list the allocated address ${ip}/32`];
}

async function cmdCheck(inv: CniInvocation, conf: WeftNetConf, deps: PluginDeps): Promise<void> {
  const netns = requireNetns(inv, deps);
  const held = await withAgent(deps, conf, (agent) => agent.get(inv.containerId, inv.ifName));
  if (held === undefined) throw cniError(CniCode.CheckFailed, `the weft agent holds no address for container ${inv.containerId} ${inv.ifName}`);
  const hostVeth = hostVethName(inv.containerId, inv.ifName);
  const seen = await deps.net.observe(netns);
  const problems = [...prevResultProblems(conf.prevResult, held.ip), ...wiringProblems({ hostVeth, ifName: inv.ifName, ip: held.ip }, seen.host, seen.pod)];
  if (problems.length > 0) throw cniError(CniCode.CheckFailed, `container ${inv.containerId} ${inv.ifName} (${held.ip}) is not wired as ADD left it: ${problems.join('; ')}`);
}

async function cmdStatus(conf: WeftNetConf, deps: PluginDeps): Promise<void> {
  try {
    await withAgent(deps, conf, (agent) => agent.status());
  } catch (err) {
    throw cniError(CniCode.NotAvailable, `weft is not available: ${errorMessage(err)}`);
  }
}

async function cmdGc(conf: WeftNetConf, deps: PluginDeps): Promise<void> {
  if (conf.validAttachments === undefined) throw cniError(CniCode.InvalidConfig, 'GC needs "cni.dev/valid-attachments" in the network configuration');
  const valid = conf.validAttachments;
  const released = await withAgent(deps, conf, (agent) => agent.gc(valid));
  for (const r of released) {
    await deps.net.unwire(r.hostVeth).catch((e: unknown) => deps.warn(`gc: cannot delete ${r.hostVeth}: ${errorMessage(e)}`));
  }
}

function requestedVersion(stdin: string): string | undefined {
  try {
    const v = (JSON.parse(stdin) as { cniVersion?: unknown }).cniVersion;
    return typeof v === 'string' ? checkVersion(v) : undefined;
  } catch {
    return undefined;
  }
}

/** Run one invocation; the value to print on stdout, or undefined for none. */
export async function runPlugin(inv: CniInvocation, stdin: string, deps: PluginDeps): Promise<object | undefined> {
  if (inv.command === 'VERSION') return versionResult(requestedVersion(stdin));
  const conf = parseNetConf(stdin);
  switch (inv.command) {
    case 'ADD':
      return cmdAdd(inv, conf, deps);
    case 'DEL':
      await cmdDel(inv, conf, deps);
      return undefined;
    case 'CHECK':
      await cmdCheck(inv, conf, deps);
      return undefined;
    case 'STATUS':
      await cmdStatus(conf, deps);
      return undefined;
    case 'GC':
      await cmdGc(conf, deps);
      return undefined;
  }
}
