/**
 * A client that keeps ONE TCP connection to an HTTP server and sends a request
 * every intervalMs for durationMs; prints a JSON summary. Used to prove that an
 * established connection survives an agent restart.
 *   node keepaliveClient.ts <ip> <port> <durationMs> <intervalMs>
 */
import net from 'node:net';

const [ip = '', portText = '8080', durationText = '5000', intervalText = '200'] = process.argv.slice(2);
const duration = Number(durationText);
const interval = Number(intervalText);
let sent = 0;
let received = 0;
let closed = false;
let error = '';
const sock = net.connect({ host: ip, port: Number(portText) });
let buf = '';
sock.setEncoding('utf8');
sock.on('data', (d: string) => {
  buf += d;
  let i: number;
  while ((i = buf.indexOf('Request served by')) >= 0) {
    received++;
    buf = buf.slice(i + 1);
  }
});
sock.on('close', () => (closed = true));
sock.on('error', (e) => (error = e.message));
const timer = setInterval(() => {
  if (closed) return;
  sent++;
  sock.write(`GET /keepalive/${sent} HTTP/1.1\r\nHost: ${ip}\r\n\r\n`);
}, interval);
setTimeout(() => {
  clearInterval(timer);
  setTimeout(() => {
    const wasClosed = closed;
    sock.destroy();
    process.stdout.write(`${JSON.stringify({ sent, received, closed: wasClosed, error })}\n`);
  }, 500);
}, duration);
