import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket } from 'dns-packet';
import { silentLogger } from '../util/log.ts';
import { startDnsServer, TcpFramer } from './server.ts';
import type { DnsServer } from './server.ts';

type Decoded = DecodedPacket & { rcode?: string };

/** The data of the first answer when it is a string (A records). */
function firstIp(p: { answers?: Answer[] | undefined } | undefined): string | undefined {
  const a = p?.answers?.[0];
  return a !== undefined && 'data' in a && typeof a.data === 'string' ? a.data : undefined;
}


function query(name: string, id = 99): Buffer {
  return dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }] });
}

async function udpAsk(port: number, msg: Buffer, timeoutMs = 1000): Promise<{ reply: Decoded; from: string } | undefined> {
  const sock = dgram.createSocket('udp4');
  try {
    return await new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs);
      sock.on('message', (m, r) => {
        clearTimeout(timer);
        resolve({ reply: dnsPacket.decode(m), from: `${r.address}:${r.port}` });
      });
      sock.send(msg, port, '127.0.0.1');
    });
  } finally {
    sock.close();
  }
}

/** Sends the bytes (in the given pieces) over one TCP connection and reads `count` framed replies. */
async function tcpAsk(port: number, pieces: Buffer[], count: number, localAddress = '127.0.0.1'): Promise<Decoded[]> {
  const sock = net.connect({ port, host: '127.0.0.1', localAddress });
  const framer = new TcpFramer();
  const out: Decoded[] = [];
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${out.length} of ${count} TCP replies`)), 2000);
      sock.on('error', reject);
      sock.on('data', (chunk: Buffer) => {
        const msgs = framer.push(chunk);
        if (msgs === 'close') return;
        for (const m of msgs) out.push(dnsPacket.decode(m));
        if (out.length >= count) {
          clearTimeout(timer);
          resolve(out);
        }
      });
      sock.on('connect', () => {
        for (const p of pieces) sock.write(p);
      });
    });
  } finally {
    sock.destroy();
  }
}

function framed(msg: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(msg.length, 0);
  return Buffer.concat([len, msg]);
}

void describe('TcpFramer', () => {
  void it('splits length-prefixed messages across and within chunks', () => {
    const f = new TcpFramer();
    const a = framed(Buffer.from('hello'));
    const b = framed(Buffer.from('dns!'));
    const all = Buffer.concat([a, b]);
    const texts = (r: Buffer[] | 'close'): string[] | 'close' => (r === 'close' ? r : r.map(String));
    assert.deepEqual(texts(f.push(all.subarray(0, 1))), []);
    assert.deepEqual(texts(f.push(all.subarray(1, 9))), ['hello']);
    assert.deepEqual(texts(f.push(all.subarray(9))), ['dns!']);
    assert.equal(f.push(Buffer.from([0, 0])), 'close');
  });
});

void describe('startDnsServer (127.0.0.1, free port)', () => {
  let server: DnsServer;
  before(async () => {
    server = await startDnsServer({
      address: '127.0.0.1',
      port: 0,
      logger: silentLogger,
      records: { cluster: 'c1', services: [{ namespace: 'default', name: 'echo-1', clusterIP: '10.101.0.10', global: true }] },
    });
  });
  after(async () => {
    await server.close();
  });

  void it('answers over UDP from the address it listens on', async () => {
    const r = await udpAsk(server.port, query('echo-1.default.svc.cluster.local'));
    assert.ok(r);
    assert.equal(r.from, `127.0.0.1:${server.port}`);
    assert.equal(r.reply.id, 99);
    assert.equal(firstIp(r.reply), '10.101.0.10');
    assert.equal((await udpAsk(server.port, query('nope.example.com')))?.reply.rcode, 'REFUSED');
  });

  void it('answers over TCP, several queries on one connection, split at odd places', async () => {
    const both = Buffer.concat([framed(query('echo-1.default.svc.clusterset.local', 1)), framed(query('x.default.svc.cluster.local', 2))]);
    const replies = await tcpAsk(server.port, [both.subarray(0, 3), both.subarray(3, 40), both.subarray(40)], 2);
    assert.deepEqual(replies.map((r) => [r.id, r.rcode, firstIp(r)]), [
      [1, 'NOERROR', '10.101.0.10'],
      [2, 'NXDOMAIN', undefined],
    ]);
  });

  void it('survives malformed packets and keeps answering', async () => {
    assert.equal(await udpAsk(server.port, Buffer.from([1, 2, 3]), 200), undefined);
    const formerr = await udpAsk(server.port, query('echo-1.default.svc.cluster.local', 7).subarray(0, 20));
    assert.equal(formerr?.reply.rcode, 'FORMERR');
    const junk = Buffer.from('this is not dns at all, not even close');
    await tcpAsk(server.port, [framed(junk), framed(query('echo-1.default.svc.cluster.local', 8))], 2);
    assert.equal(firstIp((await udpAsk(server.port, query('echo-1.default.svc.cluster.local')))?.reply), '10.101.0.10');
  });

  void it('serves new records after setRecords', async () => {
    server.setRecords({ cluster: 'c1', services: [{ namespace: 'default', name: 'echo-1', clusterIP: '10.101.0.99', global: false }] });
    assert.equal(firstIp((await udpAsk(server.port, query('echo-1.default.svc.cluster.local')))?.reply), '10.101.0.99');
    assert.equal((await udpAsk(server.port, query('echo-1.default.svc.clusterset.local')))?.reply.rcode, 'NXDOMAIN');
    const stats = server.stats();
    assert.equal(stats.names, 1);
    assert.ok(stats.queries >= 8);
    assert.ok((stats.rcodes['FORMERR'] ?? 0) >= 1);
    assert.ok(stats.dropped >= 1);
  });

  void it('refuses to start on a port already taken, naming it', async () => {
    await assert.rejects(startDnsServer({ address: '127.0.0.1', port: server.port, logger: silentLogger }), (err: Error) => err.message.includes(`127.0.0.1:${server.port}/udp`));
  });
});

/** A connection from `localAddress`; resolves when it closes, with how long it lived (ms) and whether the server reset it before anything else. */
function hold(port: number, localAddress: string): { sock: net.Socket; closed: Promise<{ ms: number; reset: boolean }> } {
  const t0 = performance.now();
  const sock = net.connect({ port, host: '127.0.0.1', localAddress });
  let reset = false;
  sock.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'ECONNRESET') reset = true;
  });
  const closed = new Promise<{ ms: number; reset: boolean }>((resolve) => sock.on('close', () => resolve({ ms: performance.now() - t0, reset })));
  return { sock, closed };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

void describe('startDnsServer TCP limits (127.0.0.1, free port)', () => {
  const TIMEOUT_MS = 600;
  let server: DnsServer;
  before(async () => {
    server = await startDnsServer({
      address: '127.0.0.1',
      port: 0,
      logger: silentLogger,
      records: { cluster: 'c1', services: [{ namespace: 'default', name: 'echo-1', clusterIP: '10.101.0.10', global: true }] },
      tcp: { perClient: 3, total: 5, queryTimeoutMs: TIMEOUT_MS },
    });
  });
  after(async () => {
    await server.close();
  });

  void it('refuses a source over its limit at once, while another source is still answered', async () => {
    const held = Array.from({ length: 5 }, () => hold(server.port, '127.0.0.3'));
    await Promise.all(held.map((h) => new Promise((r) => h.sock.once('connect', r))));
    const refused = await Promise.race([Promise.all(held.slice(3).map((h) => h.closed)), sleep(TIMEOUT_MS / 2).then(() => 'late' as const)]);
    assert.ok(refused !== 'late', 'the 4th and 5th connections are refused before any timeout');
    assert.deepEqual(refused.map((r) => r.reset), [true, true]);
    assert.equal(held.slice(0, 3).filter((h) => h.sock.destroyed).length, 0, 'the first three stay open');
    const [reply] = await tcpAsk(server.port, [framed(query('echo-1.default.svc.cluster.local', 5))], 1, '127.0.0.2');
    assert.equal(firstIp(reply), '10.101.0.10');
    assert.equal(server.stats().tcp.refused['client-limit'], 2);
    for (const h of held) h.sock.destroy();
    await Promise.all(held.map((h) => h.closed));
  });

  void it('closes a connection trickling a byte at a time when no whole query arrived in time', async () => {
    const h = hold(server.port, '127.0.0.4');
    const q = framed(query('echo-1.default.svc.cluster.local'));
    let sent = 0;
    const trickle = setInterval(() => {
      if (sent < q.length - 1 && !h.sock.destroyed) h.sock.write(q.subarray(sent, ++sent));
    }, 50);
    const closed = await h.closed;
    clearInterval(trickle);
    assert.ok(sent >= 8, `sent ${sent} bytes before the close`);
    assert.ok(closed.ms >= TIMEOUT_MS - 50 && closed.ms < TIMEOUT_MS + 400, `closed after ${Math.round(closed.ms)} ms, deadline ${TIMEOUT_MS} ms`);
    assert.ok(server.stats().tcp.timedOut >= 1);
  });

  void it('keeps a connection that sends whole queries, each within the deadline, past the deadline', async () => {
    const pieces = [0, 1, 2, 3].map((i) => framed(query('echo-1.default.svc.cluster.local', 100 + i)));
    const h = hold(server.port, '127.0.0.5');
    const framer = new TcpFramer();
    const ids: number[] = [];
    h.sock.on('data', (chunk: Buffer) => {
      const msgs = framer.push(chunk);
      if (msgs !== 'close') for (const m of msgs) ids.push(dnsPacket.decode(m).id ?? -1);
    });
    for (const p of pieces) {
      h.sock.write(p);
      await sleep(TIMEOUT_MS * 0.6);
    }
    assert.deepEqual(ids, [100, 101, 102, 103]);
    assert.equal(h.sock.destroyed, false);
    h.sock.destroy();
    await h.closed;
  });

  void it('refuses connections over the total, whatever their source', async () => {
    const held = ['127.0.0.6', '127.0.0.7', '127.0.0.8', '127.0.0.9', '127.0.0.10'].map((a) => hold(server.port, a));
    await Promise.all(held.map((h) => new Promise((r) => h.sock.once('connect', r))));
    await sleep(50);
    assert.equal(server.stats().tcp.open, 5);
    const extra = hold(server.port, '127.0.0.11');
    assert.equal((await extra.closed).reset, true);
    assert.equal(server.stats().tcp.refused['total-limit'], 1);
    for (const h of held) h.sock.destroy();
    await Promise.all(held.map((h) => h.closed));
    await sleep(50);
    assert.equal(server.stats().tcp.open, 0);
  });
});
