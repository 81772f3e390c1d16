/**
 * `weft observe`, the pure part: the filters (`--from-pod [ns/]name`,
 * `--to-pod`, `--namespace`, `--cluster`, `--verdict`, `--port`) and the
 * output shapes, like `hubble observe`: compact (one line per flow), json
 * (one Flow per line) and table.
 */
import { ErrorCode, WeftError } from '../errors.ts';
import type { Flow, FlowPeer } from '../model/flow.ts';
import { FlowVerdict } from '../model/flow.ts';

export interface FlowFilter {
  readonly fromPod?: { readonly namespace?: string; readonly name: string };
  readonly toPod?: { readonly namespace?: string; readonly name: string };
  readonly namespace?: string;
  readonly cluster?: string;
  readonly verdict?: FlowVerdict;
  readonly port?: number;
}

export interface FlowFilterFlags {
  fromPod?: string | undefined;
  toPod?: string | undefined;
  namespace?: string | undefined;
  cluster?: string | undefined;
  verdict?: string | undefined;
  port?: string | undefined;
}

function podRef(flag: string, value: string): { namespace?: string; name: string } {
  const parts = value.split('/');
  if (parts.length > 2 || parts.some((p) => p === '')) throw new WeftError(ErrorCode.InvalidInput, `${flag} must be [namespace/]pod, got "${value}"`);
  return parts.length === 2 ? { namespace: parts[0] ?? '', name: parts[1] ?? '' } : { name: parts[0] ?? '' };
}

/** The flags → a filter; errors name the flag and value. */
export function parseFlowFilter(flags: FlowFilterFlags): FlowFilter {
  let verdict: FlowVerdict | undefined;
  if (flags.verdict !== undefined) {
    const v = FlowVerdict.safeParse(flags.verdict.toUpperCase());
    if (!v.success) throw new WeftError(ErrorCode.InvalidInput, `--verdict must be one of ${FlowVerdict.options.join(', ')}, got "${flags.verdict}"`);
    verdict = v.data;
  }
  let port: number | undefined;
  if (flags.port !== undefined) {
    port = Number(flags.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new WeftError(ErrorCode.InvalidInput, `--port must be a port number 0-65535, got "${flags.port}"`);
  }
  return {
    ...(flags.fromPod === undefined ? {} : { fromPod: podRef('--from-pod', flags.fromPod) }),
    ...(flags.toPod === undefined ? {} : { toPod: podRef('--to-pod', flags.toPod) }),
    ...(flags.namespace === undefined ? {} : { namespace: flags.namespace }),
    ...(flags.cluster === undefined ? {} : { cluster: flags.cluster }),
    ...(verdict === undefined ? {} : { verdict }),
    ...(port === undefined ? {} : { port }),
  };
}

/** A pod name matches exactly or as a prefix followed by `-` (hubble matches pod name prefixes: `client` matches `client-6b4f…`). */
function podMatches(p: FlowPeer, ref: { readonly namespace?: string; readonly name: string }): boolean {
  if (p.pod === undefined) return false;
  if (ref.namespace !== undefined && p.namespace !== ref.namespace) return false;
  return p.pod === ref.name || p.pod.startsWith(`${ref.name}-`);
}

/** All given criteria hold (namespace, cluster and port: on either side, as hubble's). */
export function flowMatches(f: Flow, filter: FlowFilter): boolean {
  const sides = [f.source, f.destination];
  if (filter.fromPod !== undefined && !podMatches(f.source, filter.fromPod)) return false;
  if (filter.toPod !== undefined && !podMatches(f.destination, filter.toPod)) return false;
  if (filter.namespace !== undefined && !sides.some((s) => s.namespace === filter.namespace) && f.service?.namespace !== filter.namespace) return false;
  if (filter.cluster !== undefined && !sides.some((s) => s.cluster === filter.cluster) && f.cluster !== filter.cluster) return false;
  if (filter.verdict !== undefined && f.verdict !== filter.verdict) return false;
  if (filter.port !== undefined && !sides.some((s) => s.port === filter.port) && f.service?.port !== filter.port) return false;
  return true;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** `Dec  6 04:50:01.123` (UTC), hubble's compact time. */
export function compactTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${MONTHS[d.getUTCMonth()] ?? ''} ${String(d.getUTCDate()).padStart(2, ' ')} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}.${String(d.getUTCMilliseconds()).padStart(3, '0')}`;
}

/** `default/client-xyz:41234 (ID:65792)`, or the IP when the peer is no known pod. */
export function peerName(p: FlowPeer): string {
  const who = p.pod === undefined ? p.ip : `${p.namespace ?? ''}/${p.pod}`;
  const port = p.port === undefined ? '' : `:${p.port}`;
  return `${who}${port}${p.identity === undefined ? '' : ` (ID:${p.identity})`}`;
}

function what(f: Flow): string {
  switch (f.verdict) {
    case 'FORWARDED':
      return `${f.destination.pod === undefined ? 'to-stack' : 'to-endpoint'} FORWARDED`;
    case 'DROPPED':
      return `policy-verdict:none ${(f.direction ?? '').toUpperCase()} DENIED DROPPED`.replace('  ', ' ');
    case 'REJECTED':
      return 'no-service-backends REJECTED';
  }
}

/** One line, like `hubble observe`'s compact output. */
export function compactLine(f: Flow): string {
  const via = f.service === undefined ? '' : ` via service ${f.service.namespace}/${f.service.name}`;
  return `${compactTime(f.time)} [${f.cluster}/${f.node}]: ${peerName(f.source)} -> ${peerName(f.destination)} ${what(f)} (${f.protocol})${via}`;
}

export const FLOW_TABLE_HEADER = ['TIMESTAMP', 'NODE', 'SOURCE', 'DESTINATION', 'TYPE', 'VERDICT', 'SUMMARY'];

export function tableRow(f: Flow): string[] {
  const type = f.verdict === 'FORWARDED' ? 'trace' : f.verdict === 'DROPPED' ? 'policy-verdict' : 'drop';
  const summary = [f.protocol, f.dropReason, f.direction, f.service === undefined ? undefined : `service ${f.service.namespace}/${f.service.name}`].filter((x) => x !== undefined).join(' ');
  return [compactTime(f.time), `${f.cluster}/${f.node}`, peerName(f.source), peerName(f.destination), type, f.verdict, summary];
}

/** The newest `last` flows after filtering (oldest first). */
export function selectFlows(flows: readonly Flow[], filter: FlowFilter, last: number | undefined): Flow[] {
  const kept = flows.filter((f) => flowMatches(f, filter));
  return last === undefined ? kept : kept.slice(Math.max(0, kept.length - last));
}
