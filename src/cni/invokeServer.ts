/**
 * The agent's side of the thin plugin executable: runs a forwarded invocation
 * (protocol.ts InvokeRequest) in-process with exactly the plugin code the full
 * Node plugin runs (run.ts → plugin.ts), the IPAM answered in-process, and the
 * wiring done in the caller's namespaces: its network namespace is the node
 * side of the veth, its mount namespace resolves CNI_NETNS. When the caller's
 * namespaces cannot be reached through /proc/<pid> (another pid namespace, a
 * relative CNI_NETNS) the answer is "delegate": the client runs the full plugin.
 */
import { existsSync, readlinkSync } from 'node:fs';
import { inProcessAgentClient } from './agentOps.ts';
import type { AgentResponder } from './agentOps.ts';
import { connectAgent } from './client.ts';
import type { InvokeRequest } from './protocol.ts';
import { runCni } from './run.ts';
import type { CniOutput } from './run.ts';
import type { PodNetwork } from './wire.ts';

export interface Namespaces {
  /** readlink of /proc/<pid>/ns/net, e.g. "net:[4026531840]". */
  netns: string;
  mntns: string;
}

/** A network namespace other than the agent's: how to enter it, and its identity (the readlink). */
export interface HostNetns {
  path: string;
  id: string;
}

/** How the agent reaches the caller's view of the system. */
export interface CallerView {
  /** The caller's netns when it is not the agent's own (the node side of the veth). */
  hostNetns?: HostNetns;
  /** Prefix that resolves the caller's absolute paths ('' when it shares the agent's mount namespace). */
  root: string;
}

export type ReadNamespace = (pid: number, kind: 'net' | 'mnt') => string | undefined;

/** The caller's view, or undefined when it cannot be reached (the pid is not the caller's in this pid namespace). */
export function callerView(req: Pick<InvokeRequest, 'pid' | 'netns' | 'mntns'>, self: Namespaces, readNs: ReadNamespace): CallerView | undefined {
  if (req.netns === '' || req.mntns === '') return undefined;
  const sameNet = req.netns === self.netns;
  const sameMnt = req.mntns === self.mntns;
  if (sameNet && sameMnt) return { root: '' };
  if (readNs(req.pid, 'net') !== req.netns || readNs(req.pid, 'mnt') !== req.mntns) return undefined;
  const view: CallerView = { root: sameMnt ? '' : `/proc/${req.pid}/root` };
  if (!sameNet) view.hostNetns = { path: `/proc/${req.pid}/ns/net`, id: req.netns };
  return view;
}

export interface InvokeContext {
  respond: AgentResponder;
  self: Namespaces;
  readNs: ReadNamespace;
  /** Wiring with the node side in the agent's own netns (undefined) or in hostNetns. */
  podNetwork(hostNetns: HostNetns | undefined): PodNetwork;
  netnsExists(path: string): boolean;
}

export function readNamespace(pid: number | 'self', kind: 'net' | 'mnt'): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/${kind}`);
  } catch {
    return undefined;
  }
}

/** The context of the running agent: its own namespaces, the given wiring, the real filesystem. */
export function localInvokeContext(respond: AgentResponder, podNetwork: (hostNetns: HostNetns | undefined) => PodNetwork, netnsExists: (path: string) => boolean = existsSync): InvokeContext {
  const self = { netns: readNamespace('self', 'net') ?? '', mntns: readNamespace('self', 'mnt') ?? '' };
  return { respond, self, readNs: (pid, kind) => readNamespace(pid, kind), podNetwork, netnsExists };
}

export async function runInvocation(req: InvokeRequest, ctx: InvokeContext): Promise<CniOutput | 'delegate'> {
  const netns = req.env['CNI_NETNS'] ?? '';
  if (netns !== '' && !netns.startsWith('/')) return 'delegate';
  const view = callerView(req, ctx.self, ctx.readNs);
  if (view === undefined) return 'delegate';
  const local = (p: string): string => (p.startsWith('/') ? view.root + p : p);
  return runCni(req.env, req.stdin, {
    // the socket the client came through is this agent; any other is asked over its socket, as the full plugin would
    connect: (socketPath) => (socketPath === req.via ? Promise.resolve(inProcessAgentClient(ctx.respond, socketPath)) : connectAgent(local(socketPath))),
    net: ctx.podNetwork(view.hostNetns),
    netnsExists: (p) => ctx.netnsExists(p),
    netnsPath: local,
  });
}
