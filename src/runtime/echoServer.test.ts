import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { startEcho } from './echoServer.ts';

const id = { pod: 'echo-1-abcde', namespace: 'default', node: 'n1', cluster: 'c1' };

test('HTTP echo names the pod and echoes the request', async () => {
  const echo = await startEcho(id, [{ port: 18089, protocol: 'TCP' }], '127.0.0.1');
  try {
    const res = await fetch('http://127.0.0.1:18089/hello?x=1', { headers: { 'x-test': 'yes' } });
    const body = await res.text();
    assert.equal(res.headers.get('x-weft-cluster'), 'c1');
    assert.match(body, /^Request served by echo-1-abcde\n/);
    assert.match(body, /GET \/hello\?x=1 HTTP\/1\.1/);
    assert.match(body, /x-test: yes/);
    assert.match(body, /Node: n1/);
  } finally {
    await echo.close();
  }
});

test('UDP echo answers a datagram', async () => {
  const echo = await startEcho(id, [{ port: 18090, protocol: 'UDP' }], '127.0.0.1');
  const sock = dgram.createSocket('udp4');
  try {
    const reply = await new Promise<string>((resolve) => {
      sock.on('message', (m) => resolve(m.toString()));
      sock.send('ping', 18090, '127.0.0.1');
    });
    assert.match(reply, /served by echo-1-abcde/);
    assert.match(reply, /ping$/);
  } finally {
    sock.close();
    await echo.close();
  }
});
