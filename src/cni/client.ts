/**
 * The plugin's side of the agent socket: one connection per plugin run,
 * requests answered in order. An agent that cannot be reached is CNI code 11
 * (try again later); an agent's refusal keeps the agent's error code.
 */
import net from 'node:net';
import { WeftError } from '../errors.ts';
import type { ErrorCode } from '../errors.ts';
import { CniCode, cniError } from './codes.ts';
import { parseAllocateAnswer, parseAllocationInfo } from './protocol.ts';
import type { AllocateAnswer, AllocationInfo, CniEndpoint, CniRequest, CniResponse, PodRef } from './protocol.ts';

export interface AgentClient {
  allocate(ref: PodRef): Promise<AllocateAnswer>;
  register(ep: CniEndpoint): Promise<void>;
  /** With ip: only while the pair still holds that address. */
  release(containerId: string, ifName: string, ip?: string): Promise<AllocationInfo | undefined>;
  del(ref: PodRef): Promise<AllocationInfo | undefined>;
  get(containerId: string, ifName: string): Promise<AllocationInfo | undefined>;
  status(): Promise<void>;
  gc(valid: { containerId: string; ifName: string }[]): Promise<{ containerId: string; ifName: string; ip: string; hostVeth: string }[]>;
  close(): void;
}

function unreachable(socketPath: string, why: string): WeftError {
  return cniError(CniCode.TryAgainLater, `the weft agent is not reachable on socket ${socketPath}: ${why}`);
}

export async function connectAgent(socketPath: string, timeoutMs = 30_000): Promise<AgentClient> {
  const sock = net.createConnection(socketPath);
  sock.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', () => resolve());
    sock.once('error', (err: NodeJS.ErrnoException) => reject(unreachable(socketPath, err.code ?? err.message)));
  });
  const waiting: { resolve(r: CniResponse): void; reject(e: Error): void }[] = [];
  let buf = '';
  const failAll = (e: Error): void => {
    for (const w of waiting.splice(0)) w.reject(e);
  };
  sock.on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        waiting.shift()?.resolve(JSON.parse(line) as CniResponse);
      } catch {
        failAll(unreachable(socketPath, `invalid answer ${line.slice(0, 80)}`));
      }
    }
  });
  sock.on('error', (err: NodeJS.ErrnoException) => failAll(unreachable(socketPath, err.code ?? err.message)));
  sock.on('close', () => failAll(unreachable(socketPath, 'connection closed')));

  const call = (req: CniRequest): Promise<CniResponse> =>
    new Promise<CniResponse>((resolve, reject) => {
      const timer = setTimeout(() => reject(cniError(CniCode.TryAgainLater, `the weft agent on ${socketPath} did not answer "${req.op}" within ${timeoutMs} ms`)), timeoutMs);
      waiting.push({
        resolve: (r) => (clearTimeout(timer), resolve(r)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      sock.write(`${JSON.stringify(req)}\n`);
    });
  return agentClientOver(call, socketPath, () => {
    sock.end();
    sock.destroy();
  });
}

/**
 * The AgentClient over any transport that answers a request with a response:
 * the socket above, or the agent's own handler in-process (agentOps.ts). An
 * error response becomes a WeftError with the agent's code and message.
 */
export function agentClientOver(send: (req: CniRequest) => Promise<CniResponse>, socketPath: string, close: () => void): AgentClient {
  const call = async (req: CniRequest): Promise<unknown> => {
    const res = await send(req);
    if (!res.ok) throw new WeftError(res.error.code as ErrorCode, res.error.message);
    return res.data;
  };

  return {
    async allocate(ref) {
      const a = parseAllocateAnswer(await call({ op: 'allocate', ...ref }));
      if (a === undefined) throw unreachable(socketPath, 'allocate answered no address');
      return a;
    },
    async register(endpoint) {
      await call({ op: 'register', endpoint });
    },
    async release(containerId, ifName, ip) {
      return parseAllocationInfo(await call({ op: 'release', containerId, ifName, ...(ip === undefined ? {} : { ip }) }));
    },
    async del(ref) {
      return parseAllocationInfo(await call({ op: 'del', ...ref }));
    },
    async get(containerId, ifName) {
      return parseAllocationInfo(await call({ op: 'get', containerId, ifName }));
    },
    async status() {
      await call({ op: 'status' });
    },
    async gc(valid) {
      const data = await call({ op: 'gc', valid });
      return Array.isArray(data) ? (data as { containerId: string; ifName: string; ip: string; hostVeth: string }[]) : [];
    },
    close,
  };
}
