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
async function tcpAsk(port: number, pieces: Buffer[], count: number): Promise<Decoded[]> {
  const sock = net.connect(port, '127.0.0.1');
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
    assert.equal((await udpAsk(server.port, query('nope.example.com')))?.reply.rcode, 'NXDOMAIN');
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
