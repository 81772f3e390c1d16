/**
 * One DNS message in, one reply out (pure; dns-packet does the wire format).
 * Decisions: a message that is not a query is dropped (never answer answers);
 * an undecodable query with a readable header gets FORMERR, anything shorter
 * than a header is dropped; opcodes other than QUERY get NOTIMP; classes other
 * than IN get REFUSED; everything else is answered from the DnsTable.
 * EDNS(0) is understood as far as the payload size: the reply carries an OPT
 * when the query did. A UDP reply larger than the client accepts is sent
 * truncated (TC, no records) so the client retries over TCP.
 */
import dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, Packet } from 'dns-packet';
import type { DnsTable } from './records.ts';

const HEADER_BYTES = 12;
const QR = 1 << 15;
const OPCODE_MASK = 0xf << 11;
const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
export type ReplyRcode = keyof typeof RCODE;
/** The smallest payload every DNS client accepts over UDP (RFC 1035). */
export const UDP_MIN_PAYLOAD = 512;
/** What we advertise in our OPT (the DNS flag day 2020 value). */
export const UDP_OUR_PAYLOAD = 1232;

export interface Reply {
  bytes: Buffer;
  rcode: ReplyRcode;
  /** The question as asked, for logs (`name/type`), '' when there was none. */
  question: string;
}

export interface RespondOptions {
  /** Over UDP a reply is limited to the client's payload size (512 without EDNS); over TCP it is not. */
  udp: boolean;
}

/** A bare header reply (no sections) for queries dns-packet cannot decode. */
function headerOnly(query: Buffer, rcode: ReplyRcode): Buffer {
  const out = Buffer.alloc(HEADER_BYTES);
  out.writeUInt16BE(query.readUInt16BE(0), 0);
  const qflags = query.readUInt16BE(2);
  // QR, the query's opcode and RD bit, our rcode; every count is 0.
  out.writeUInt16BE(QR | (qflags & OPCODE_MASK) | (qflags & dnsPacket.RECURSION_DESIRED) | RCODE[rcode], 2);
  return out;
}

function clientUdpLimit(query: DecodedPacket): number {
  const opt = (query.additionals ?? []).find((a) => a.type === 'OPT');
  if (opt === undefined || !('udpPayloadSize' in opt)) return UDP_MIN_PAYLOAD;
  return Math.max(UDP_MIN_PAYLOAD, Math.min(opt.udpPayloadSize, UDP_OUR_PAYLOAD));
}

function ourOpt(query: DecodedPacket): Answer[] {
  const asked = (query.additionals ?? []).some((a) => a.type === 'OPT');
  if (!asked) return [];
  return [{ type: 'OPT', name: '.', udpPayloadSize: UDP_OUR_PAYLOAD, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }];
}

function encodeReply(query: DecodedPacket, body: Omit<Packet, 'id' | 'type' | 'flags'> & { aa: boolean }, rcode: ReplyRcode): Buffer {
  const flags = (query.flags ?? 0) & dnsPacket.RECURSION_DESIRED;
  const { aa, ...sections } = body;
  return dnsPacket.encode({
    id: query.id ?? 0,
    type: 'response',
    flags: flags | (aa ? dnsPacket.AUTHORITATIVE_ANSWER : 0) | RCODE[rcode],
    questions: query.questions ?? [],
    additionals: ourOpt(query),
    ...sections,
  });
}

function decodeQuery(query: Buffer): DecodedPacket | 'malformed' {
  try {
    return dnsPacket.decode(query);
  } catch {
    return 'malformed';
  }
}

function opcodeOf(query: Buffer): number {
  return (query.readUInt16BE(2) & OPCODE_MASK) >> 11;
}

/** The reply to one message, or undefined when it must be dropped. Never throws. */
export function respond(query: Buffer, table: DnsTable, opts: RespondOptions): Reply | undefined {
  if (query.length < HEADER_BYTES) return undefined;
  if ((query.readUInt16BE(2) & QR) !== 0) return undefined;
  if (opcodeOf(query) !== 0) return { bytes: headerOnly(query, 'NOTIMP'), rcode: 'NOTIMP', question: '' };
  const decoded = decodeQuery(query);
  if (decoded === 'malformed') return { bytes: headerOnly(query, 'FORMERR'), rcode: 'FORMERR', question: '' };
  const questions = decoded.questions ?? [];
  const q = questions[0];
  if (q === undefined || questions.length !== 1) return { bytes: headerOnly(query, 'FORMERR'), rcode: 'FORMERR', question: '' };
  const asked = `${q.name}/${q.type}`;
  try {
    if (q.class !== undefined && q.class !== 'IN' && q.class !== 'ANY') {
      return { bytes: encodeReply(decoded, { aa: false }, 'REFUSED'), rcode: 'REFUSED', question: asked };
    }
    const result = table.answer({ name: q.name, type: q.type });
    const body = { aa: result.authoritative, answers: result.answers, authorities: result.authorities };
    let bytes = encodeReply(decoded, body, result.rcode);
    if (opts.udp && bytes.length > clientUdpLimit(decoded)) {
      bytes = encodeReply(decoded, { aa: result.authoritative }, result.rcode);
      bytes.writeUInt16BE(bytes.readUInt16BE(2) | dnsPacket.TRUNCATED_RESPONSE, 2);
    }
    return { bytes, rcode: result.rcode, question: asked };
  } catch {
    // A name dns-packet decoded but cannot re-encode (e.g. an oversized label).
    return { bytes: headerOnly(query, 'FORMERR'), rcode: 'FORMERR', question: asked };
  }
}
