/**
 * What the agent answers the plugin: the ops of protocol.ts on the node IPAM,
 * handing registered / deleted endpoints to the agent (onAdd / onDel). Served
 * over the unix socket (server.ts) and, for invocations the agent runs itself
 * (invokeServer.ts), in-process through the same AgentClient the plugin uses
 * over the socket, so both paths behave alike.
 */
import { WeftError, ErrorCode, errorMessage, isWeftError } from '../errors.ts';
import type { Logger } from '../util/log.ts';
import { agentClientOver } from './client.ts';
import type { AgentClient } from './client.ts';
import type { NodeIpam } from './ipam.ts';
import { parseRequest } from './protocol.ts';
import type { CniEndpoint, CniRequest, CniResponse } from './protocol.ts';
import { hostVethName } from './veth.ts';

export interface CniDelEvent {
  containerId: string;
  ifName: string;
  podNamespace?: string;
  podName?: string;
  ip?: string;
}

export interface AgentOpsOptions {
  ipam: NodeIpam;
  onAdd(ep: CniEndpoint): Promise<void>;
  onDel(ep: CniDelEvent): Promise<void>;
}

async function handle(req: CniRequest, opts: AgentOpsOptions, log: Logger): Promise<unknown> {
  const { ipam } = opts;
  switch (req.op) {
    case 'allocate': {
      const pod = { ...(req.podNamespace === undefined ? {} : { podNamespace: req.podNamespace }), ...(req.podName === undefined ? {} : { podName: req.podName }) };
      // get, then allocate, with no await between: concurrent requests for one pair see exactly one "created"
      const created = ipam.get(req.containerId, req.ifName) === undefined;
      return { ...(await ipam.allocate(req.containerId, req.ifName, pod)), created };
    }
    case 'register': {
      const ep = req.endpoint;
      const owned = ipam.get(ep.containerId, ep.ifName);
      if (owned?.ip !== ep.ip) {
        throw new WeftError(ErrorCode.Conflict, `endpoint address ${ep.ip} is not the one allocated to container ${ep.containerId} ${ep.ifName} (${owned?.ip ?? 'none'})`);
      }
      await opts.onAdd(ep);
      log.info('endpoint added', { containerId: ep.containerId, pod: `${ep.podNamespace}/${ep.podName}`, ip: ep.ip, hostVeth: ep.hostVeth });
      return undefined;
    }
    case 'release': {
      const held = ipam.get(req.containerId, req.ifName);
      if (req.ip !== undefined && held?.ip !== req.ip) return null; // another address (or none): not the caller's to free
      return (await ipam.release(req.containerId, req.ifName)) ?? null;
    }
    case 'del': {
      const held = ipam.get(req.containerId, req.ifName);
      const podNamespace = req.podNamespace ?? held?.podNamespace;
      const podName = req.podName ?? held?.podName;
      const ev: CniDelEvent = { containerId: req.containerId, ifName: req.ifName };
      if (podNamespace !== undefined) ev.podNamespace = podNamespace;
      if (podName !== undefined) ev.podName = podName;
      if (held !== undefined) ev.ip = held.ip;
      await opts.onDel(ev); // before the release: a failed onDel keeps the address for the retried DEL
      const released = await ipam.release(req.containerId, req.ifName);
      if (released !== undefined) log.info('endpoint deleted', { containerId: req.containerId, ip: released.ip });
      return released ?? null;
    }
    case 'get':
      return ipam.get(req.containerId, req.ifName) ?? null;
    case 'status':
      return { cidr: ipam.cidr, allocated: ipam.list().length };
    case 'gc': {
      const keep = new Set(req.valid.map((v) => `${v.containerId} ${v.ifName}`));
      const released: { containerId: string; ifName: string; ip: string; hostVeth: string }[] = [];
      for (const a of ipam.list().filter((x) => !keep.has(`${x.containerId} ${x.ifName}`))) {
        const ev: CniDelEvent = { containerId: a.containerId, ifName: a.ifName, ip: a.ip };
        if (a.podNamespace !== undefined) ev.podNamespace = a.podNamespace;
        if (a.podName !== undefined) ev.podName = a.podName;
        await opts.onDel(ev);
        await ipam.release(a.containerId, a.ifName);
        released.push({ containerId: a.containerId, ifName: a.ifName, ip: a.ip, hostVeth: hostVethName(a.containerId, a.ifName) });
      }
      if (released.length > 0) log.info('CNI GC released stale addresses', { released: released.map((r) => r.ip) });
      return released;
    }
  }
}

/** Answer one decoded request (validated here); never throws. */
export type AgentResponder = (raw: unknown) => Promise<CniResponse>;

export function createAgentResponder(opts: AgentOpsOptions, log: Logger): AgentResponder {
  return async (raw) => {
    try {
      const data = await handle(parseRequest(raw), opts, log);
      return data === undefined ? { ok: true } : { ok: true, data };
    } catch (err) {
      log.warn('CNI request failed', { err: errorMessage(err) });
      return { ok: false, error: { code: isWeftError(err) ? err.code : ErrorCode.Internal, message: errorMessage(err) } };
    }
  };
}

/** The plugin's AgentClient served by this agent in-process (no socket, same semantics). */
export function inProcessAgentClient(respond: AgentResponder, socketPath: string): AgentClient {
  // a JSON round trip, as over the socket: the plugin sees plain data, never the IPAM's own objects
  return agentClientOver(async (req) => JSON.parse(JSON.stringify(await respond(JSON.parse(JSON.stringify(req))))) as CniResponse, socketPath, () => undefined);
}
