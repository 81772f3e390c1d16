/**
 * The agent's side of the CNI plugin: a unix socket speaking the line
 * protocol of protocol.ts. It answers the full plugin's requests (IPAM,
 * endpoint registration: agentOps.ts) and runs whole invocations forwarded
 * by the thin executable bin/cni/weft (invokeServer.ts).
 */
import net from 'node:net';
import { chmod, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { WeftError, ErrorCode, errorMessage } from '../errors.ts';
import { silentLogger } from '../util/log.ts';
import type { Logger } from '../util/log.ts';
import { createAgentResponder } from './agentOps.ts';
import type { AgentOpsOptions, AgentResponder } from './agentOps.ts';
import { localInvokeContext, runInvocation } from './invokeServer.ts';
import type { HostNetns, InvokeContext } from './invokeServer.ts';
import { IpSessionPool } from './ipSession.ts';
import { encodeInvokeAnswer, isInvokeRequest, parseInvokeRequest } from './protocol.ts';
import type { CniResponse } from './protocol.ts';
import { ipPodNetworkIn } from './wire.ts';
import type { PodNetwork } from './wire.ts';

export type { CniEndpoint } from './protocol.ts';
export type { CniDelEvent } from './agentOps.ts';

export interface CniServerOptions extends AgentOpsOptions {
  socketPath: string;
  logger?: Logger;
  /**
   * Wiring for forwarded invocations, per node netns (undefined: the agent's own). Default:
   * `ip`, the node side through one long-lived `ip -batch` per node netns (ipSession.ts). Tests pass fakes.
   */
  podNetwork?: (hostNetns: HostNetns | undefined) => PodNetwork;
  /** Default: the filesystem's existsSync. */
  netnsExists?: (path: string) => boolean;
}

export interface CniServer {
  close(): Promise<void>;
}

const MAX_LINE = 1 << 20;

interface Served {
  respond: AgentResponder;
  invoke: InvokeContext;
  log: Logger;
}

/** The reply to one line: a JSON line, or the framed output of an invocation (after which the connection ends). */
async function answerLine(line: string, s: Served): Promise<{ reply: string | Buffer; end: boolean }> {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    const res: CniResponse = { ok: false, error: { code: ErrorCode.InvalidInput, message: `invalid CNI request: not JSON: ${line.slice(0, 80)}` } };
    s.log.warn('CNI request failed', { err: res.error.message });
    return { reply: `${JSON.stringify(res)}\n`, end: false };
  }
  if (!isInvokeRequest(raw)) return { reply: `${JSON.stringify(await s.respond(raw))}\n`, end: false };
  try {
    const req = parseInvokeRequest(raw);
    const out = await runInvocation(req, s.invoke);
    if (out === 'delegate') s.log.info('CNI invocation delegated to the full plugin: its namespaces are not reachable from the agent', { pid: req.pid });
    else if (out.code !== 0) s.log.warn('CNI invocation failed', { command: req.env['CNI_COMMAND'], err: out.stderr.trim() });
    return { reply: encodeInvokeAnswer(out), end: true };
  } catch (err) {
    s.log.warn('CNI invocation not served, delegated to the full plugin', { err: errorMessage(err) });
    return { reply: encodeInvokeAnswer('delegate'), end: true };
  }
}

function serveConnection(sock: net.Socket, served: Served): void {
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
        const { reply, end } = await answerLine(line, served);
        if (sock.destroyed) return;
        if (end) sock.end(reply);
        else sock.write(reply);
      });
    }
  });
}

export async function startCniServer(opts: CniServerOptions): Promise<CniServer> {
  const log = (opts.logger ?? silentLogger).child({ component: 'cni-server' });
  await mkdir(path.dirname(opts.socketPath), { recursive: true });
  await rm(opts.socketPath, { force: true });
  const respond = createAgentResponder(opts, log);
  const sessions = new IpSessionPool();
  const podNetwork =
    opts.podNetwork ??
    ((host: HostNetns | undefined): PodNetwork =>
      host === undefined
        ? ipPodNetworkIn(undefined, sessions.get('self', { argv: ['ip', '-o', '-batch', '-'], name: 'ip -batch -' }))
        : ipPodNetworkIn(host.path, sessions.get(host.id, { argv: ['nsenter', `--net=${host.path}`, 'ip', '-o', '-batch', '-'], name: 'ip -batch -' })));
  const served: Served = { respond, invoke: localInvokeContext(respond, podNetwork, opts.netnsExists), log };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    serveConnection(sock, served);
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
      await sessions.close();
      await rm(opts.socketPath, { force: true });
    },
  };
}
