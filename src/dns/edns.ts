/**
 * EDNS(0) as the responder speaks it (RFC 6891), pure: what a query's OPT
 * records ask, and the OPT the reply carries.
 * - no OPT: plain DNS, UDP replies up to 512 bytes, no OPT in the reply;
 * - one OPT of version 0: the client's payload size (clamped to 512..1232);
 * - one OPT of a higher version: BADVERS (extended rcode 16) with our OPT
 *   saying version 0, the highest we implement (§6.1.3);
 * - more than one OPT, or an OPT whose owner is not the root: FORMERR (§6.1.1).
 */
import type { Answer } from 'dns-packet';

/** The smallest payload every DNS client accepts over UDP (RFC 1035). */
export const UDP_MIN_PAYLOAD = 512;
/** What we advertise in our OPT (the DNS flag day 2020 value). */
export const UDP_OUR_PAYLOAD = 1232;
/** The extended rcode for an unsupported EDNS version (RFC 6891 §9). */
export const BADVERS = 16;

export type EdnsRequest =
  | { kind: 'none' }
  | { kind: 'ok'; udpPayloadSize: number }
  | { kind: 'badvers'; version: number }
  | { kind: 'formerr'; reason: string };

/** Reads the OPT records among a query's additionals (as dns-packet decodes them). */
export function ednsRequest(additionals: readonly Answer[]): EdnsRequest {
  const opts = additionals.filter((a) => a.type === 'OPT');
  const opt = opts[0];
  if (opt === undefined) return { kind: 'none' };
  if (opts.length > 1) return { kind: 'formerr', reason: `${opts.length} OPT records (at most 1)` };
  if (opt.name !== '.' && opt.name !== '') return { kind: 'formerr', reason: `OPT owner name ${JSON.stringify(opt.name)} is not the root` };
  if (!('udpPayloadSize' in opt)) return { kind: 'formerr', reason: 'OPT without a payload size' };
  const version = opt.ednsVersion ?? 0;
  if (version > 0) return { kind: 'badvers', version };
  return { kind: 'ok', udpPayloadSize: Math.max(UDP_MIN_PAYLOAD, Math.min(opt.udpPayloadSize, UDP_OUR_PAYLOAD)) };
}

/** The largest UDP reply the client accepts. */
export function udpLimit(req: EdnsRequest): number {
  return req.kind === 'ok' ? req.udpPayloadSize : UDP_MIN_PAYLOAD;
}

/**
 * The OPT records of the reply: ours (version 0, carrying the upper 8 bits of
 * a 12-bit rcode) when the query had a usable OPT, none otherwise.
 */
export function replyOpt(req: EdnsRequest, rcode: number): Answer[] {
  if (req.kind !== 'ok' && req.kind !== 'badvers') return [];
  return [{ type: 'OPT', name: '.', udpPayloadSize: UDP_OUR_PAYLOAD, extendedRcode: rcode >> 4, ednsVersion: 0, flags: 0, flag_do: false, options: [] }];
}
