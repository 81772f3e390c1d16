/**
 * The node DNS responder: UDP and TCP on one address and port (the agent uses
 * 169.254.1.1:53 in the node netns), answering from an in-memory DnsTable the
 * agent replaces with setRecords(). Both sockets are bound to the address
 * itself, never to 0.0.0.0, so every reply leaves from the address the pod
 * asked (its resolver drops replies from another source) and nothing listens
 * on the node's other addresses. Nothing is ever forwarded (see records.ts).
 * Bad input never throws out of a handler: see packet.ts for what is dropped
 * and what gets FORMERR.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { WeftError, ErrorCode } from '../errors.ts';
import type { Logger } from '../util/log.ts';
import { respond } from './packet.ts';
import type { Reply } from './packet.ts';
import { buildDnsTable } from './records.ts';
import type { DnsRecordsInput, DnsTable } from './records.ts';

export interface DnsServerOptions {
  address: string;
  /** 0 picks a free port (tests); TCP then listens on the port UDP got. */
  port: number;
  logger: Logger;
  /** Initial records; empty until setRecords otherwise. */
  records?: DnsRecordsInput;
  /** A TCP connection idle this long is closed; default 10 s. */
  tcpIdleMs?: number;
  /** Concurrent TCP connections accepted; default 64. */
  maxTcpConnections?: number;
}

export interface DnsServerStats {
  queries: number;
  /** Replies per rcode. */
  rcodes: Record<string, number>;
  /** Messages dropped (not a query, shorter than a header). */
  dropped: number;
  names: number;
}

export interface DnsServer {
  readonly address: string;
  readonly port: number;
  /** Replaces the whole table at once; the next query sees the new records. */
  setRecords(input: DnsRecordsInput): void;
  stats(): DnsServerStats;
  close(): Promise<void>;
}

const TCP_MAX_MESSAGE = 65_535;

function listenUdp(address: string, port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket({ type: 'udp4' });
    const onError = (err: Error): void => {
      sock.close();
      reject(new WeftError(ErrorCode.Internal, `cannot listen for DNS on ${address}:${port}/udp: ${err.message}`, { cause: err }));
    };
    sock.once('error', onError);
    sock.bind({ address, port, exclusive: true }, () => {
      sock.off('error', onError);
      resolve(sock);
    });
  });
}

function listenTcp(server: net.Server, address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(new WeftError(ErrorCode.Internal, `cannot listen for DNS on ${address}:${port}/tcp: ${err.message}`, { cause: err }));
    server.once('error', onError);
    server.listen({ host: address, port, exclusive: true }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

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

export async function startDnsServer(opts: DnsServerOptions): Promise<DnsServer> {
  const log = opts.logger.child({ component: 'dns' });
  let table: DnsTable = buildDnsTable(opts.records ?? { cluster: '', services: [] });
  let serial = 1;
  const stats: DnsServerStats = { queries: 0, rcodes: {}, dropped: 0, names: table.size };

  const handle = (msg: Buffer, udp: boolean, from: string): Reply | undefined => {
    stats.queries++;
    const reply = respond(msg, table, { udp });
    if (reply === undefined) {
      stats.dropped++;
      log.debug('dropped a message that is not a DNS query', { from, bytes: msg.length });
      return undefined;
    }
    stats.rcodes[reply.rcode] = (stats.rcodes[reply.rcode] ?? 0) + 1;
    log.debug('query', { from, question: reply.question, rcode: reply.rcode, udp });
    return reply;
  };

  const udp = await listenUdp(opts.address, opts.port);
  const port = udp.address().port;
  udp.on('error', (err) => log.warn('DNS UDP socket error', { err: err.message }));
  udp.on('message', (msg, rinfo) => {
    const reply = handle(msg, true, `${rinfo.address}:${rinfo.port}`);
    if (reply === undefined) return;
    udp.send(reply.bytes, rinfo.port, rinfo.address, (err) => {
      if (err) log.debug('DNS UDP reply failed', { to: rinfo.address, err: err.message });
    });
  });

  const connections = new Set<net.Socket>();
  const tcp = net.createServer((sock) => {
    connections.add(sock);
    const framer = new TcpFramer();
    const from = `${sock.remoteAddress ?? '?'}:${sock.remotePort ?? 0}`;
    sock.setTimeout(opts.tcpIdleMs ?? 10_000, () => sock.destroy());
    sock.on('error', (err) => log.debug('DNS TCP connection error', { from, err: err.message }));
    sock.on('close', () => connections.delete(sock));
    sock.on('data', (chunk: Buffer) => {
      const messages = framer.push(chunk);
      if (messages === 'close') {
        sock.end();
        return;
      }
      for (const m of messages) {
        const reply = handle(m, false, from);
        if (reply !== undefined) sock.write(frame(reply.bytes));
      }
    });
  });
  tcp.maxConnections = opts.maxTcpConnections ?? 64;
  try {
    await listenTcp(tcp, opts.address, port);
  } catch (err) {
    udp.close();
    throw err;
  }
  tcp.on('error', (err) => log.warn('DNS TCP server error', { err: err.message }));
  log.info('DNS responder listening', { address: opts.address, port, names: table.size });

  return {
    address: opts.address,
    port,
    setRecords(input: DnsRecordsInput): void {
      serial++;
      table = buildDnsTable(input, serial);
      stats.names = table.size;
      log.debug('DNS records replaced', { names: table.size });
    },
    stats: () => ({ ...stats, rcodes: { ...stats.rcodes } }),
    async close(): Promise<void> {
      for (const c of connections) c.destroy();
      await Promise.all([new Promise<void>((r) => udp.close(() => r())), new Promise<void>((r) => tcp.close(() => r()))]);
    },
  };
}
