import assert from 'node:assert/strict';
import net from 'node:net';
import test from 'node:test';
import { startRedisServer } from './redisServer.ts';

void test('answers PING over TCP on loopback', async () => {
  const server = await startRedisServer({ port: 0, host: '127.0.0.1', name: 'db' });
  try {
    const reply = await new Promise<string>((resolve, reject) => {
      const s = net.connect(server.port, '127.0.0.1', () => s.write('*1\r\n$4\r\nPING\r\n'));
      s.once('data', (d) => {
        resolve(d.toString());
        s.destroy();
      });
      s.once('error', reject);
    });
    assert.equal(reply, '+PONG\r\n');
  } finally {
    await server.close();
  }
});
