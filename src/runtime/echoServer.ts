/**
 * The built-in echo server a lab pod runs on each declared container port
 * (images cannot run here). TCP ports answer HTTP; UDP ports echo datagrams.
 */
import http from 'node:http';
import dgram from 'node:dgram';
import type { PodIdentity } from './echoResponse.ts';
import { echoHeaders, echoHttpBody, echoUdpReply } from './echoResponse.ts';
import { closeHttpServer } from './httpServers.ts';

export interface EchoPort {
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP';
}

export interface RunningEcho {
  close(): Promise<void>;
}

function headerPairs(raw: readonly string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i] ?? '', raw[i + 1] ?? '']);
  return pairs;
}

function startHttp(id: PodIdentity, port: number, host: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = echoHttpBody(id, {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        httpVersion: req.httpVersion,
        headers: headerPairs(req.rawHeaders),
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(200, echoHeaders(id));
      res.end(body);
    });
  });
  server.keepAliveTimeout = 5000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

function startUdp(id: PodIdentity, port: number, host: string): Promise<dgram.Socket> {
  const sock = dgram.createSocket('udp4');
  sock.on('message', (msg, rinfo) => {
    sock.send(echoUdpReply(id, msg.toString('utf8')), rinfo.port, rinfo.address);
  });
  return new Promise((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(port, host, () => resolve(sock));
  });
}

export async function startEcho(id: PodIdentity, ports: readonly EchoPort[], host = '0.0.0.0'): Promise<RunningEcho> {
  const closers: (() => Promise<void>)[] = [];
  for (const p of ports) {
    if (p.protocol === 'UDP') {
      const s = await startUdp(id, p.port, host);
      closers.push(() => new Promise((r) => s.close(() => r())));
    } else {
      const s = await startHttp(id, p.port, host);
      closers.push(() => closeHttpServer(s));
    }
  }
  return { close: async () => void (await Promise.all(closers.map((c) => c()))) };
}
