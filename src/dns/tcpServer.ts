/**
 * DNS over TCP (RFC 1035 §4.2.2, RFC 7766) for the node responder, hardened
 * against clients that hold connections: admission per source address and in
 * total (tcpLimits.ts, refused with a TCP reset), a deadline per query that
 * bytes short of a whole query never extend, and a bound on replies the client
 * leaves unread. Queries are answered by the `handle` it is given.
 */
import net from 'node:net';
import type { Logger } from '../util/log.ts';
import type { Reply } from './packet.ts';
import { TcpAdmission } from './tcpLimits.ts';
import type { Admission, TcpLimits } from './tcpLimits.ts';

const TCP_MAX_MESSAGE = 65_535;
/** Replies queued for a client that does not read them; beyond this the connection is closed. */
export const MAX_UNREAD_REPLY_BYTES = 256 * 1024;

/** Splits a TCP byte stream into DNS messages (2-byte big-endian length prefix, RFC 1035 §4.2.2). */
export class TcpFramer {
  #pending: Buffer = Buffer.alloc(0);

  /** The complete messages now available; a zero length ends the stream (returns 'close'). */
  push(chunk: Buffer): Buffer[] | 'close' {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const out: Buffer[] = [];
    while (this.#pending.length >= 2) {
      const len = this.#pending.readUInt16BE(0);
      if (len === 0) return 'close';
      if (this.#pending.length < 2 + len) break;
      out.push(this.#pending.subarray(2, 2 + len));
      this.#pending = this.#pending.subarray(2 + len);
    }
    return out;
  }
}

function frame(bytes: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(Math.min(bytes.length, TCP_MAX_MESSAGE), 0);
  return Buffer.concat([len, bytes]);
}

export interface DnsTcpCounts {
  /** Connections open now. */
  open: number;
  /** Connections refused, per limit. */
  refused: Record<Exclude<Admission, 'admitted'>, number>;
  /** Connections closed because a query did not arrive whole in time. */
  timedOut: number;
}

export interface DnsTcpServer {
  readonly server: net.Server;
  counts(): DnsTcpCounts;
  /** Destroys every open connection (the listener is closed by the caller). */
  destroyAll(): void;
}

export function createDnsTcpServer(limits: TcpLimits, handle: (msg: Buffer, from: string) => Reply | undefined, log: Logger): DnsTcpServer {
  const admission = new TcpAdmission(limits);
  const connections = new Set<net.Socket>();
  const counts: DnsTcpCounts = { open: 0, refused: { 'client-limit': 0, 'total-limit': 0 }, timedOut: 0 };

  const server = net.createServer((sock) => {
    const client = sock.remoteAddress ?? '?';
    const from = `${client}:${sock.remotePort ?? 0}`;
    sock.on('error', (err) => log.debug('DNS TCP connection error', { from, err: err.message }));
    const admitted = admission.admit(client);
    if (admitted !== 'admitted') {
      counts.refused[admitted]++;
      log.debug('DNS TCP connection refused', { from, limit: admitted, perClient: limits.perClient, total: limits.total });
      sock.resetAndDestroy();
      return;
    }
    connections.add(sock);
    const framer = new TcpFramer();
    let deadline: NodeJS.Timeout | undefined;
    const armDeadline = (): void => {
      clearTimeout(deadline);
      deadline = setTimeout(() => {
        counts.timedOut++;
        log.debug('DNS TCP connection closed: no whole query in time', { from, ms: limits.queryTimeoutMs });
        sock.destroy();
      }, limits.queryTimeoutMs);
    };
    armDeadline();
    sock.on('close', () => {
      clearTimeout(deadline);
      connections.delete(sock);
      admission.release(client);
    });
    sock.on('data', (chunk: Buffer) => {
      const messages = framer.push(chunk);
      if (messages === 'close') {
        sock.end();
        return;
      }
      if (messages.length > 0) armDeadline();
      for (const m of messages) {
        const reply = handle(m, from);
        if (reply !== undefined) sock.write(frame(reply.bytes));
      }
      if (sock.writableLength > MAX_UNREAD_REPLY_BYTES) {
        log.debug('DNS TCP connection closed: replies left unread', { from, bytes: sock.writableLength });
        sock.destroy();
      }
    });
  });

  return {
    server,
    counts: () => ({ open: connections.size, refused: { ...counts.refused }, timedOut: counts.timedOut }),
    destroyAll(): void {
      for (const c of connections) c.destroy();
    },
  };
}
