/**
 * The node DNS responder: UDP and TCP on one address and port (the agent uses
 * 169.254.1.1:53 in the node netns), answering from an in-memory DnsTable the
 * agent replaces with setRecords(). Both sockets are bound to the address
 * itself, never to 0.0.0.0, so every reply leaves from the address the pod
 * asked (its resolver drops replies from another source) and nothing listens
 * on the node's other addresses. Nothing is ever forwarded (see records.ts).
 * Bad input never throws out of a handler: see packet.ts for what is dropped
 * and what gets FORMERR. TCP limits (per client, in total, per query) are in
 * tcpLimits.ts and tcpServer.ts.
 */
import dgram from 'node:dgram';
import type net from 'node:net';
import { WeftError, ErrorCode } from '../errors.ts';
import type { Logger } from '../util/log.ts';
import { respond } from './packet.ts';
import type { Reply } from './packet.ts';
import { buildDnsTable } from './records.ts';
import type { DnsRecordsInput, DnsTable } from './records.ts';
import { DEFAULT_TCP_LIMITS, validateTcpLimits } from './tcpLimits.ts';
import type { TcpLimits } from './tcpLimits.ts';
import { createDnsTcpServer } from './tcpServer.ts';
import type { DnsTcpCounts } from './tcpServer.ts';

export { TcpFramer } from './tcpServer.ts';

export interface DnsServerOptions {
  address: string;
  /** 0 picks a free port (tests); TCP then listens on the port UDP got. */
  port: number;
  logger: Logger;
  /** Initial records; empty until setRecords otherwise. */
  records?: DnsRecordsInput;
  /** TCP limits; each field defaults to DEFAULT_TCP_LIMITS (16 per client, 256 in total, 5 s per query). */
  tcp?: Partial<TcpLimits>;
  /** Called with the time each answered query took (the agent's latency histogram); counting stays in stats(). */
  onAnswered?: (seconds: number) => void;
}

export interface DnsServerStats {
  queries: number;
  /** Replies per rcode. */
  rcodes: Record<string, number>;
  /** Messages dropped (not a query, shorter than a header). */
  dropped: number;
  names: number;
  tcp: DnsTcpCounts;
}

export interface DnsServer {
  readonly address: string;
  readonly port: number;
  /** Replaces the whole table at once; the next query sees the new records. */
  setRecords(input: DnsRecordsInput): void;
  stats(): DnsServerStats;
  close(): Promise<void>;
}

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

export async function startDnsServer(opts: DnsServerOptions): Promise<DnsServer> {
  const log = opts.logger.child({ component: 'dns' });
  let table: DnsTable = buildDnsTable(opts.records ?? { cluster: '', services: [] });
  let serial = 1;
  const limits = validateTcpLimits({ ...DEFAULT_TCP_LIMITS, ...opts.tcp });
  const stats: Omit<DnsServerStats, 'tcp'> = { queries: 0, rcodes: {}, dropped: 0, names: table.size };

  const handle = (msg: Buffer, udp: boolean, from: string): Reply | undefined => {
    stats.queries++;
    const started = performance.now();
    const reply = respond(msg, table, { udp });
    if (reply === undefined) {
      stats.dropped++;
      log.debug('dropped a message that is not a DNS query', { from, bytes: msg.length });
      return undefined;
    }
    stats.rcodes[reply.rcode] = (stats.rcodes[reply.rcode] ?? 0) + 1;
    opts.onAnswered?.((performance.now() - started) / 1000);
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

  const tcpServer = createDnsTcpServer(limits, (msg, from) => handle(msg, false, from), log);
  const tcp = tcpServer.server;
  try {
    await listenTcp(tcp, opts.address, port);
  } catch (err) {
    udp.close();
    throw err;
  }
  tcp.on('error', (err) => log.warn('DNS TCP server error', { err: err.message }));
  log.info('DNS responder listening', { address: opts.address, port, names: table.size, tcpLimits: limits });

  return {
    address: opts.address,
    port,
    setRecords(input: DnsRecordsInput): void {
      serial++;
      table = buildDnsTable(input, serial);
      stats.names = table.size;
      log.debug('DNS records replaced', { names: table.size });
    },
    stats: () => ({ ...stats, rcodes: { ...stats.rcodes }, tcp: tcpServer.counts() }),
    async close(): Promise<void> {
      tcpServer.destroyAll();
      await Promise.all([new Promise<void>((r) => udp.close(() => r())), new Promise<void>((r) => tcp.close(() => r()))]);
    },
  };
}
