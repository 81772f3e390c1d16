/**
 * The question section of a query, read from the wire ourselves (pure).
 * dns-packet joins labels with '.' without escaping, so a label holding a dot
 * (`echo\.1`) or bytes that are not UTF-8 would come back re-encoded as a
 * different name. The reply must carry the question exactly as asked (RFC
 * 1035 §4.1.2; resolvers drop a reply whose question differs), so we keep the
 * question's raw bytes to echo and derive the lookup name from the labels in
 * presentation format (RFC 1035 §5.1: `\.`, `\\`, `\DDD`), which can never
 * collide with a plain name.
 */

const HEADER_BYTES = 12;
const MAX_NAME_BYTES = 255;

export interface WireQuestion {
  /** The name, type and class exactly as received: echoed byte for byte in the reply. */
  wire: Buffer;
  /** The name in presentation format without the trailing dot ('' for the root). */
  name: string;
  type: number;
  class: number;
}

/** A label in presentation format: letters, digits and most punctuation as is; '.', '\' and unprintable bytes escaped. */
export function presentLabel(label: Buffer): string {
  let out = '';
  for (const byte of label) {
    if (byte === 0x2e || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte > 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\${byte.toString().padStart(3, '0')}`;
  }
  return out;
}

/**
 * The first question of a message (the caller checks QDCOUNT), or undefined
 * when it is cut short, too long or uses a compression pointer (nothing
 * precedes the first name for a pointer to point at).
 */
export function readQuestion(msg: Buffer): WireQuestion | undefined {
  const labels: string[] = [];
  let offset = HEADER_BYTES;
  for (;;) {
    const len = msg[offset];
    if (len === undefined || (len & 0xc0) !== 0) return undefined;
    offset += 1;
    if (len === 0) break;
    if (offset + len > msg.length) return undefined;
    labels.push(presentLabel(msg.subarray(offset, offset + len)));
    offset += len;
    if (offset - HEADER_BYTES > MAX_NAME_BYTES) return undefined;
  }
  if (offset - HEADER_BYTES > MAX_NAME_BYTES || offset + 4 > msg.length) return undefined;
  return {
    wire: msg.subarray(HEADER_BYTES, offset + 4),
    name: labels.join('.'),
    type: msg.readUInt16BE(offset),
    class: msg.readUInt16BE(offset + 2),
  };
}

/** The record types the responder distinguishes, as dns-packet and DnsTable spell them. */
export function typeName(type: number): string {
  switch (type) {
    case 1:
      return 'A';
    case 28:
      return 'AAAA';
    case 255:
      return 'ANY';
    default:
      return `TYPE${type}`;
  }
}
