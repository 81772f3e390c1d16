/**
 * The plugin ↔ agent protocol: one JSON object per line over the agent's unix
 * socket, a response line per request line, in order. Shared by client.ts
 * (the plugin) and server.ts (the agent); validated by hand (no zod in the
 * plugin's import graph).
 */
import { WeftError, ErrorCode } from '../errors.ts';

export interface CniEndpoint {
  containerId: string;
  ifName: string;
  netns: string;
  podNamespace: string;
  podName: string;
  ip: string;
  hostVeth: string;
}

export interface PodRef {
  containerId: string;
  ifName: string;
  podNamespace?: string;
  podName?: string;
}

export interface AllocationInfo {
  ip: string;
  containerId: string;
  ifName: string;
  podNamespace?: string;
  podName?: string;
}

/** The answer to allocate: the address, and whether this request created it (false: the pair already held it). */
export interface AllocateAnswer extends AllocationInfo {
  created: boolean;
}

export type CniRequest =
  | ({ op: 'allocate' } & PodRef)
  | { op: 'register'; endpoint: CniEndpoint }
  /** With ip: release only while the pair still holds that address (an undo never frees someone else's). */
  | { op: 'release'; containerId: string; ifName: string; ip?: string }
  | ({ op: 'del' } & PodRef)
  | { op: 'get'; containerId: string; ifName: string }
  | { op: 'status' }
  | { op: 'gc'; valid: { containerId: string; ifName: string }[] };

export type CniOp = CniRequest['op'];

export type CniResponse = { ok: true; data?: unknown } | { ok: false; error: { code: string; message: string } };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function invalid(why: string): WeftError {
  return new WeftError(ErrorCode.InvalidInput, `invalid CNI request: ${why}`);
}

function needStrings(o: Record<string, unknown>, fields: readonly string[], where: string): void {
  for (const f of fields) {
    if (typeof o[f] !== 'string' || o[f] === '') throw invalid(`${where} field "${f}" must be a non-empty string, got ${JSON.stringify(o[f])}`);
  }
}

function optionalStrings(o: Record<string, unknown>, fields: readonly string[], where: string): void {
  for (const f of fields) {
    if (o[f] !== undefined && typeof o[f] !== 'string') throw invalid(`${where} field "${f}" must be a string, got ${JSON.stringify(o[f])}`);
  }
}

const ENDPOINT_FIELDS = ['containerId', 'ifName', 'netns', 'ip', 'hostVeth'] as const;

/** Validate one decoded request line. */
export function parseRequest(v: unknown): CniRequest {
  if (!isObject(v)) throw invalid(`expected an object, got ${JSON.stringify(v)}`);
  const op = v['op'];
  switch (op) {
    case 'allocate':
    case 'del':
      needStrings(v, ['containerId', 'ifName'], op);
      optionalStrings(v, ['podNamespace', 'podName'], op);
      return v as CniRequest;
    case 'release':
      needStrings(v, ['containerId', 'ifName'], op);
      optionalStrings(v, ['ip'], op);
      return v as CniRequest;
    case 'get':
      needStrings(v, ['containerId', 'ifName'], op);
      return v as CniRequest;
    case 'status':
      return { op };
    case 'register': {
      const ep = v['endpoint'];
      if (!isObject(ep)) throw invalid(`register needs an "endpoint" object, got ${JSON.stringify(ep)}`);
      needStrings(ep, ENDPOINT_FIELDS, 'endpoint');
      if (typeof ep['podNamespace'] !== 'string' || typeof ep['podName'] !== 'string') throw invalid('endpoint needs string podNamespace and podName');
      return v as CniRequest;
    }
    case 'gc': {
      const valid = v['valid'];
      if (!Array.isArray(valid)) throw invalid(`gc needs a "valid" array, got ${JSON.stringify(valid)}`);
      for (const a of valid) {
        if (!isObject(a)) throw invalid(`gc entry ${JSON.stringify(a)} is not an object`);
        needStrings(a, ['containerId', 'ifName'], 'gc entry');
      }
      return v as CniRequest;
    }
    default:
      throw invalid(`unknown op ${JSON.stringify(op)}`);
  }
}

/** The AllocationInfo in a response, or undefined for null/absent. */
export function parseAllocationInfo(v: unknown): AllocationInfo | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v) || typeof v['ip'] !== 'string' || typeof v['containerId'] !== 'string' || typeof v['ifName'] !== 'string') {
    throw new WeftError(ErrorCode.Internal, `the agent answered with an invalid allocation ${JSON.stringify(v)}`);
  }
  return v as unknown as AllocationInfo;
}

/** The answer to allocate; its "created" flag is required. */
export function parseAllocateAnswer(v: unknown): AllocateAnswer | undefined {
  const a = parseAllocationInfo(v);
  if (a === undefined) return undefined;
  const created = (v as Record<string, unknown>)['created'];
  if (typeof created !== 'boolean') throw new WeftError(ErrorCode.Internal, `the agent answered allocate without a boolean "created" (an older agent?): ${JSON.stringify(v)}`);
  return { ...a, created };
}

/**
 * The thin executable's request (bin/cni/weft): one whole plugin invocation,
 * forwarded verbatim for the agent to run in-process. Answered not with a JSON
 * line but with the framed output below, after which the agent closes the
 * connection.
 */
export interface InvokeRequest {
  op: 'invoke';
  /** The client's pid and namespaces (readlink of /proc/self/ns/net and …/mnt, e.g. "net:[4026531840]"); '' when unknown. */
  pid: number;
  netns: string;
  mntns: string;
  /** The socket path the client reached this agent through. */
  via: string;
  /** The CNI_* environment variables. */
  env: Record<string, string>;
  /** The network configuration, as read from the client's stdin. */
  stdin: string;
}

/** Validate a decoded line whose op is "invoke". */
export function parseInvokeRequest(v: Record<string, unknown>): InvokeRequest {
  const { pid, env } = v;
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) throw invalid(`invoke field "pid" must be a positive integer, got ${JSON.stringify(pid)}`);
  for (const f of ['netns', 'mntns', 'via', 'stdin'] as const) {
    if (typeof v[f] !== 'string') throw invalid(`invoke field "${f}" must be a string, got ${JSON.stringify(v[f])}`);
  }
  if (!isObject(env)) throw invalid(`invoke field "env" must be an object, got ${JSON.stringify(env)}`);
  const cniEnv: Record<string, string> = {};
  for (const [k, val] of Object.entries(env)) {
    if (typeof val !== 'string') throw invalid(`invoke env ${k} must be a string, got ${JSON.stringify(val)}`);
    if (k.startsWith('CNI_')) cniEnv[k] = val;
  }
  return { op: 'invoke', pid, netns: v['netns'] as string, mntns: v['mntns'] as string, via: v['via'] as string, env: cniEnv, stdin: v['stdin'] as string };
}

/** True for a decoded line asking for an invocation. */
export function isInvokeRequest(v: unknown): v is Record<string, unknown> {
  return isObject(v) && v['op'] === 'invoke';
}

/**
 * The answer to an invoke request: `<exit> <stdout bytes> <stderr bytes>\n`
 * then stdout then stderr; or `delegate\n` when the agent cannot serve this
 * caller in-process and the client must run the full plugin itself.
 */
export function encodeInvokeAnswer(out: { code: number; stdout: string; stderr: string } | 'delegate'): Buffer {
  if (out === 'delegate') return Buffer.from('delegate\n');
  const stdout = Buffer.from(out.stdout, 'utf8');
  const stderr = Buffer.from(out.stderr, 'utf8');
  return Buffer.concat([Buffer.from(`${out.code} ${stdout.length} ${stderr.length}\n`), stdout, stderr]);
}
