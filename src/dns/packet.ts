/**
 * One DNS message in, one reply out (pure; dns-packet does the wire format of
 * everything but the question, see question.ts).
 * Decisions, in order: a message that is not a query is dropped (never answer
 * answers), as is anything shorter than a header; opcodes other than QUERY get
 * NOTIMP; a query without exactly one readable question gets FORMERR (header
 * only); an undecodable rest, more than one OPT or a non-root OPT gets FORMERR;
 * an EDNS version above 0 gets BADVERS (edns.ts); classes other than IN/ANY get
 * REFUSED; everything else is answered from the DnsTable (REFUSED outside the
 * zones it serves). Every reply that has a question carries the query's
 * question byte for byte. A UDP reply larger than the client accepts is sent
 * truncated (TC, no records) so the client retries over TCP.
 */
import dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket } from 'dns-packet';
import { BADVERS, ednsRequest, replyOpt, udpLimit } from './edns.ts';
import type { EdnsRequest } from './edns.ts';
import { readQuestion, typeName } from './question.ts';
import type { WireQuestion } from './question.ts';
import type { DnsTable } from './records.ts';

export { UDP_MIN_PAYLOAD, UDP_OUR_PAYLOAD } from './edns.ts';

const HEADER_BYTES = 12;
const QR = 1 << 15;
const OPCODE_MASK = 0xf << 11;
const CLASS_IN = 1;
const CLASS_ANY = 255;
const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5, BADVERS } as const;
export type ReplyRcode = keyof typeof RCODE;

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

interface ReplySections {
  aa: boolean;
  answers?: Answer[];
  authorities?: Answer[];
}

/** The reply's second header word: QR, the query's opcode and RD bit, AA, the low 4 bits of the rcode. */
function replyFlags(query: Buffer, rcode: ReplyRcode, aa: boolean): number {
  const qflags = query.readUInt16BE(2);
  return QR | (qflags & OPCODE_MASK) | (qflags & dnsPacket.RECURSION_DESIRED) | (aa ? dnsPacket.AUTHORITATIVE_ANSWER : 0) | (RCODE[rcode] & 0xf);
}

/** A bare header reply (no sections): for queries whose question cannot be read. */
function headerOnly(query: Buffer, rcode: ReplyRcode): Buffer {
  const out = Buffer.alloc(HEADER_BYTES);
  out.writeUInt16BE(query.readUInt16BE(0), 0);
  out.writeUInt16BE(replyFlags(query, rcode, false), 2);
  return out;
}

/** The reply with the query's question bytes spliced in after the header (dns-packet never compresses, so nothing points into it). */
function encodeReply(query: Buffer, q: WireQuestion, edns: EdnsRequest, rcode: ReplyRcode, body: ReplySections): Buffer {
  const rest = dnsPacket.encode({
    id: query.readUInt16BE(0),
    type: 'response',
    questions: [],
    answers: body.answers ?? [],
    authorities: body.authorities ?? [],
    additionals: replyOpt(edns, RCODE[rcode]),
  });
  const out = Buffer.concat([rest.subarray(0, HEADER_BYTES), q.wire, rest.subarray(HEADER_BYTES)]);
  out.writeUInt16BE(replyFlags(query, rcode, body.aa), 2);
  out.writeUInt16BE(1, 4);
  return out;
}

function decodeQuery(query: Buffer): DecodedPacket | 'malformed' {
  try {
    return dnsPacket.decode(query);
  } catch {
    return 'malformed';
  }
}

/** The rcode and sections for a well-formed question, before encoding. */
function decide(q: WireQuestion, edns: EdnsRequest, table: DnsTable): { rcode: ReplyRcode; body: ReplySections } {
  if (edns.kind === 'formerr') return { rcode: 'FORMERR', body: { aa: false } };
  if (edns.kind === 'badvers') return { rcode: 'BADVERS', body: { aa: false } };
  if (q.class !== CLASS_IN && q.class !== CLASS_ANY) return { rcode: 'REFUSED', body: { aa: false } };
  const result = table.answer({ name: q.name, type: typeName(q.type) });
  return { rcode: result.rcode, body: { aa: result.authoritative, answers: result.answers, authorities: result.authorities } };
}

/** The reply to one message, or undefined when it must be dropped. Never throws. */
export function respond(query: Buffer, table: DnsTable, opts: RespondOptions): Reply | undefined {
  if (query.length < HEADER_BYTES) return undefined;
  if ((query.readUInt16BE(2) & QR) !== 0) return undefined;
  if ((query.readUInt16BE(2) & OPCODE_MASK) !== 0) return { bytes: headerOnly(query, 'NOTIMP'), rcode: 'NOTIMP', question: '' };
  const q = query.readUInt16BE(4) === 1 ? readQuestion(query) : undefined;
  if (q === undefined) return { bytes: headerOnly(query, 'FORMERR'), rcode: 'FORMERR', question: '' };
  const asked = `${q.name}/${typeName(q.type)}`;
  const decoded = decodeQuery(query);
  const edns: EdnsRequest = decoded === 'malformed' ? { kind: 'formerr', reason: 'undecodable records' } : ednsRequest(decoded.additionals ?? []);
  try {
    const { rcode, body } = decide(q, edns, table);
    let bytes = encodeReply(query, q, edns, rcode, body);
    if (opts.udp && bytes.length > udpLimit(edns)) {
      bytes = encodeReply(query, q, edns, rcode, { aa: body.aa });
      bytes.writeUInt16BE(bytes.readUInt16BE(2) | dnsPacket.TRUNCATED_RESPONSE, 2);
    }
    return { bytes, rcode, question: asked };
  } catch {
    // Records dns-packet cannot encode: never expected from our table, but never thrown out of here.
    return { bytes: headerOnly(query, 'SERVFAIL'), rcode: 'SERVFAIL', question: asked };
  }
}
