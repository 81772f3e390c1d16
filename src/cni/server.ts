/**
 * The agent's side of the CNI plugin: a unix socket speaking the line
 * protocol of protocol.ts. It allocates addresses from the node IPAM and hands
 * registered / deleted endpoints to the agent (onAdd / onDel).
 */
import net from 'node:net';
import { chmod, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { WeftError, ErrorCode, errorMessage, isWeftError } from '../errors.ts';
import { silentLogger } from '../util/log.ts';
import type { Logger } from '../util/log.ts';
import type { NodeIpam } from './ipam.ts';
import { parseRequest } from './protocol.ts';
import type { CniEndpoint, CniRequest, CniResponse } from './protocol.ts';
import { hostVethName } from './veth.ts';

export type { CniEndpoint } from './protocol.ts';

export interface CniDelEvent {
  containerId: string;
  ifName: string;
  podNamespace?: string;
  podName?: string;
  ip?: string;
}

export interface CniServerOptions {
  socketPath: string;
  ipam: NodeIpam;
  onAdd(ep: CniEndpoint): Promise<void>;
  onDel(ep: CniDelEvent): Promise<void>;
  logger?: Logger;
}

export interface CniServer {
  close(): Promise<void>;
}

const MAX_LINE = 1 << 20;

async function handle(req: CniRequest, opts: CniServerOptions, log: Logger): Promise<unknown> {
  const { ipam } = opts;
  switch (req.op) {
    case 'allocate': {
      const pod = { ...(req.podNamespace === undefined ? {} : { podNamespace: req.podNamespace }), ...(req.podName === undefined ? {} : { podName: req.podName }) };
      return ipam.allocate(req.containerId, req.ifName, pod);
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
    case 'release':
      return (await ipam.release(req.containerId, req.ifName)) ?? null;
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

async function answer(line: string, opts: CniServerOptions, log: Logger): Promise<CniResponse> {
  try {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      throw new WeftError(ErrorCode.InvalidInput, `invalid CNI request: not JSON: ${line.slice(0, 80)}`);
    }
    const data = await handle(parseRequest(raw), opts, log);
    return data === undefined ? { ok: true } : { ok: true, data };
  } catch (err) {
    log.warn('CNI request failed', { err: errorMessage(err) });
    return { ok: false, error: { code: isWeftError(err) ? err.code : ErrorCode.Internal, message: errorMessage(err) } };
  }
}

function serveConnection(sock: net.Socket, opts: CniServerOptions, log: Logger): void {
  let buf = '';
  let chain: Promise<void> = Promise.resolve();
  sock.setEncoding('utf8');
  sock.on('error', () => undefined);
  sock.on('data', (chunk: string) => {
    buf += chunk;
    if (buf.length > MAX_LINE) {
      sock.destroy();
      return;
    }
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line === '') continue;
      chain = chain.then(async () => {
        const res = await answer(line, opts, log);
        if (!sock.destroyed) sock.write(`${JSON.stringify(res)}\n`);
      });
    }
  });
}

export async function startCniServer(opts: CniServerOptions): Promise<CniServer> {
  const log = (opts.logger ?? silentLogger).child({ component: 'cni-server' });
  await mkdir(path.dirname(opts.socketPath), { recursive: true });
  await rm(opts.socketPath, { force: true });
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    serveConnection(sock, opts, log);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new WeftError(ErrorCode.Internal, `cannot listen on CNI socket ${opts.socketPath}: ${err.message}`, { cause: err })));
    server.listen(opts.socketPath, () => resolve());
  });
  await chmod(opts.socketPath, 0o600);
  log.info('CNI server listening', { socket: opts.socketPath, cidr: opts.ipam.cidr });
  return {
    async close(): Promise<void> {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
      await rm(opts.socketPath, { force: true });
    },
  };
}
