/**
 * Sends one UDP datagram and prints the reply (or exits 1 after a timeout).
 *   node udpClient.ts <ip> <port> <payload> [timeoutMs]
 */
import dgram from 'node:dgram';

const [ip = '', port = '0', payload = 'ping', timeout = '2000'] = process.argv.slice(2);
const sock = dgram.createSocket('udp4');
const timer = setTimeout(() => {
  process.stderr.write(`no UDP reply from ${ip}:${port}\n`);
  sock.close();
  process.exitCode = 1;
}, Number(timeout));
sock.on('message', (m) => {
  clearTimeout(timer);
  process.stdout.write(`${m.toString()}\n`);
  sock.close();
});
sock.send(payload, Number(port), ip);
