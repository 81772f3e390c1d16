import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { silentLogger } from '../util/log.ts';
import { createDnsTcpServer, MAX_UNREAD_REPLY_BYTES } from './tcpServer.ts';

function framed(msg: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(msg.length, 0);
  return Buffer.concat([len, msg]);
}

async function listening(server: net.Server): Promise<number> {
  await new Promise<void>((r) => server.listen({ host: '127.0.0.1', port: 0 }, r));
  const addr = server.address();
  assert.ok(addr !== null && typeof addr === 'object');
  return addr.port;
}

void describe('createDnsTcpServer', () => {
  void it(`closes a client that leaves more than ${MAX_UNREAD_REPLY_BYTES} bytes of replies unread`, async () => {
    const big = { bytes: Buffer.alloc(60_000), rcode: 'NOERROR' as const, question: 'x/A' };
    const dns = createDnsTcpServer({ perClient: 2, total: 4, queryTimeoutMs: 10_000 }, () => big, silentLogger);
    const port = await listening(dns.server);
    try {
      const sock = net.connect({ port, host: '127.0.0.1' });
      sock.on('error', () => undefined);
      sock.pause(); // never reads a reply
      const closed = new Promise<void>((r) => sock.on('close', () => r()));
      const query = framed(Buffer.alloc(30));
      const sender = setInterval(() => {
        if (!sock.destroyed) sock.write(Buffer.concat(Array.from({ length: 50 }, () => query)));
      }, 10);
      const outcome = await Promise.race([closed.then(() => 'closed'), new Promise((r) => setTimeout(() => r('still open'), 8000))]);
      clearInterval(sender);
      sock.destroy();
      assert.equal(outcome, 'closed');
      assert.equal(dns.counts().open, 0);
    } finally {
      dns.destroyAll();
      await new Promise<void>((r) => dns.server.close(() => r()));
    }
  });

  void it('ends the connection on a zero length prefix, and frees the client slot', async () => {
    const dns = createDnsTcpServer({ perClient: 1, total: 1, queryTimeoutMs: 10_000 }, () => undefined, silentLogger);
    const port = await listening(dns.server);
    try {
      for (let i = 0; i < 2; i++) {
        const sock = net.connect({ port, host: '127.0.0.1' });
        const ended = new Promise<void>((r) => sock.on('end', () => r()));
        sock.on('connect', () => sock.write(Buffer.from([0, 0])));
        await ended;
        sock.destroy();
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.deepEqual(dns.counts(), { open: 0, refused: { 'client-limit': 0, 'total-limit': 0 }, timedOut: 0 });
    } finally {
      dns.destroyAll();
      await new Promise<void>((r) => dns.server.close(() => r()));
    }
  });
});
