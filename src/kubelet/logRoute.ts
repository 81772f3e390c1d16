/**
 * The kubelet API's log route (pure): GET /containerLogs/{ns}/{pod}/{container}
 * with tailLines, follow, limitBytes and timestamps, as the API server sends
 * it for `kubectl logs`.
 */
import { WeftError, ErrorCode } from '../errors.ts';

export interface LogRequest {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  readonly tailLines?: number;
  readonly limitBytes?: number;
  readonly follow: boolean;
  readonly timestamps: boolean;
}

const PREFIX = '/containerLogs/';

function nonNegative(url: URL, name: string): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new WeftError(ErrorCode.InvalidInput, `${name} must be a non-negative integer, got "${raw}"`);
  return n;
}

/** undefined when the path is not a log route; throws InvalidInput on a malformed one. */
export function parseLogRequest(url: URL): LogRequest | undefined {
  if (!url.pathname.startsWith(PREFIX)) return undefined;
  const parts = url.pathname.slice(PREFIX.length).split('/').map((p) => decodeURIComponent(p));
  if (parts.length !== 3 || parts.some((p) => p === '')) throw new WeftError(ErrorCode.InvalidInput, `log path must be ${PREFIX}{namespace}/{pod}/{container}, got "${url.pathname}"`);
  const [namespace = '', pod = '', container = ''] = parts;
  const tailLines = nonNegative(url, 'tailLines');
  const limitBytes = nonNegative(url, 'limitBytes');
  const flag = (name: string): boolean => url.searchParams.get(name) === 'true' || url.searchParams.get(name) === '1';
  return { namespace, pod, container, ...(tailLines === undefined ? {} : { tailLines }), ...(limitBytes === undefined ? {} : { limitBytes }), follow: flag('follow'), timestamps: flag('timestamps') };
}

/** The last `n` lines of a log (a trailing partial line counts as one). */
export function tailLines(text: string, n: number | undefined): string {
  if (n === undefined) return text;
  if (n === 0) return '';
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  if (body === '') return '';
  const lines = body.split('\n');
  return `${lines.slice(-n).join('\n')}${text.endsWith('\n') ? '\n' : ''}`;
}

/** Each line prefixed with an RFC 3339 time (the runtime keeps no per-line times: the time given). */
export function withTimestamps(text: string, at: Date): string {
  if (text === '') return '';
  const stamp = at.toISOString();
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  return `${body.split('\n').map((l) => `${stamp} ${l}`).join('\n')}${text.endsWith('\n') ? '\n' : ''}`;
}
