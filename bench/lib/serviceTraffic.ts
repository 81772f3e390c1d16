/**
 * Traffic through service VIPs, for the services benchmark and integration
 * test: a server that answers every TCP connection / UDP datagram with its
 * name (then echoes), a client that makes many sequential connections and
 * counts who answered (with connect and reply latencies), and a client that
 * holds one connection open. Everything runs under `ip netns exec`; servers
 * are stopped by their recorded PID.
 */
import { spawn } from 'node:child_process';
import { execFull } from '../../src/util/exec.ts';
import { NODE_BIN } from '../../src/util/paths.ts';
import { startInNetns } from '../podTraffic.ts';
import type { RunningServer } from '../podTraffic.ts';

export type L4 = 'tcp' | 'udp';

const IDENT_SERVER = `
import net from 'node:net';
import dgram from 'node:dgram';
const [name, port, proto] = process.argv.slice(1);
if (proto === 'tcp') {
  net.createServer((s) => { s.on('error', () => {}); s.setNoDelay(true); s.write(name + '\\n'); s.pipe(s); })
    .listen(Number(port), '0.0.0.0', () => console.log('ready'));
} else {
  const u = dgram.createSocket('udp4');
  u.on('message', (_m, r) => u.send(name + '\\n', r.port, r.address));
  u.bind(Number(port), '0.0.0.0', () => console.log('ready'));
}
`;

const PROBE_CLIENT = `
import net from 'node:net';
import dgram from 'node:dgram';
const [host, port, proto, count, warmup, timeoutMs] = process.argv.slice(1).map((v, i) => (i < 3 ? v : Number(v)));
const out = { counts: {}, errors: {}, connectUs: [], replyUs: [], failUs: [] };
const us = (t0) => Number(process.hrtime.bigint() - t0) / 1000;
function once(record) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    let done = false, sock;
    const finish = (name, err) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      try { proto === 'tcp' ? sock.destroy() : sock.close(); } catch {}
      if (record) {
        if (name !== undefined) { out.counts[name] = (out.counts[name] ?? 0) + 1; out.replyUs.push(us(t0)); }
        else { out.errors[err] = (out.errors[err] ?? 0) + 1; out.failUs.push(us(t0)); }
      }
      resolve();
    };
    const timer = setTimeout(() => finish(undefined, 'TIMEOUT'), timeoutMs);
    if (proto === 'tcp') {
      sock = net.connect({ host, port: Number(port) });
      sock.setNoDelay(true);
      let buf = '';
      sock.on('connect', () => { if (record) out.connectUs.push(us(t0)); });
      sock.on('data', (d) => { buf += d; const i = buf.indexOf('\\n'); if (i >= 0) finish(buf.slice(0, i)); });
      sock.on('error', (e) => finish(undefined, e.code ?? e.message));
      sock.on('close', () => finish(undefined, 'CLOSED'));
    } else {
      sock = dgram.createSocket('udp4');
      sock.on('message', (m) => finish(String(m).trim()));
      sock.on('error', (e) => finish(undefined, e.code ?? e.message));
      sock.connect(Number(port), host, () => sock.send('?'));
    }
  });
}
// Stop early after 3 timeouts in a row: the path is broken, waiting longer tells nothing more.
for (let i = 0, timeouts = 0; i < warmup + count && timeouts < 3; i++) {
  const before = out.errors.TIMEOUT ?? 0;
  await once(i >= warmup);
  timeouts = (out.errors.TIMEOUT ?? 0) > before ? timeouts + 1 : 0;
}
console.log(JSON.stringify(out));
`;

const HOLD_CLIENT = `
import net from 'node:net';
const [host, port, durationMs, intervalMs] = process.argv.slice(1).map((v, i) => (i === 0 ? v : Number(v)));
let name = '', buf = '', sent = 0, received = 0, closed = false, error = '';
const s = net.connect({ host, port });
s.setEncoding('utf8');
s.on('data', (d) => {
  buf += d;
  if (name === '') { const i = buf.indexOf('\\n'); if (i < 0) return; name = buf.slice(0, i); buf = buf.slice(i + 1); console.log('connected ' + name); }
  let j;
  while ((j = buf.indexOf('ping\\n')) >= 0) { received++; buf = buf.slice(j + 5); }
});
s.on('close', () => (closed = true));
s.on('error', (e) => (error = e.code ?? e.message));
const timer = setInterval(() => { if (!closed && name !== '') { sent++; s.write('ping\\n'); } }, intervalMs);
setTimeout(() => {
  clearInterval(timer);
  setTimeout(() => { const wasClosed = closed; s.destroy(); console.log(JSON.stringify({ name, sent, received, closed: wasClosed, error })); process.exit(0); }, 300);
}, durationMs);
`;

const nodeArgv = (script: string, args: (string | number)[]): string[] => [NODE_BIN, '--input-type=module', '-e', script, ...args.map(String)];

/** A server in `netns` on 0.0.0.0:port answering each connection / datagram with `name`. */
export function startIdentServer(netns: string, name: string, port: number, proto: L4): Promise<RunningServer> {
  return startInNetns(netns, nodeArgv(IDENT_SERVER, [name, port, proto]), /ready/);
}

export interface ProbeResult {
  /** Answers per server name. */
  counts: Record<string, number>;
  /** Failures per error code (ECONNREFUSED, TIMEOUT, …). */
  errors: Record<string, number>;
  /** TCP: connect() to established, µs. */
  connectUs: number[];
  /** connect()/send() to the server's first line, µs (successful attempts). */
  replyUs: number[];
  /** connect()/send() to the failure, µs. */
  failUs: number[];
}

/**
 * `count` sequential connections (TCP) or datagrams (UDP) from `netns` to ip:port, after `warmup`
 * unrecorded ones; stops early after 3 timeouts in a row.
 */
export async function probeService(netns: string, ip: string, port: number, proto: L4, opts: { count: number; warmup?: number; timeoutMs?: number }): Promise<ProbeResult> {
  const timeoutMs = opts.timeoutMs ?? 2000;
  const total = opts.count + (opts.warmup ?? 0);
  const r = await execFull('ip', ['netns', 'exec', netns, ...nodeArgv(PROBE_CLIENT, [ip, port, proto, opts.count, opts.warmup ?? 0, timeoutMs])], {
    timeoutMs: total * (timeoutMs + 100) + 10_000,
  });
  return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as ProbeResult;
}

export interface HoldResult {
  name: string;
  sent: number;
  received: number;
  closed: boolean;
  error: string;
}

export interface HeldConnection {
  /** Resolves once connected with the name of the server that answered ('' when the client ended without connecting). */
  connected: Promise<string>;
  /** Resolves after durationMs with what happened on the connection. */
  result: Promise<HoldResult>;
}

/** One TCP connection from `netns` to ip:port held for durationMs, sending a ping every intervalMs (the server echoes). */
export function holdConnection(netns: string, ip: string, port: number, durationMs: number, intervalMs: number): HeldConnection {
  const child = spawn('ip', ['netns', 'exec', netns, ...nodeArgv(HOLD_CLIENT, [ip, port, durationMs, intervalMs])], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let onConnected: (name: string) => void = () => undefined;
  const connected = new Promise<string>((resolve) => (onConnected = resolve));
  child.stdout.on('data', (b: Buffer) => {
    out += b.toString();
    const m = /^connected (.*)$/m.exec(out);
    if (m?.[1] !== undefined) onConnected(m[1]);
  });
  const result = new Promise<HoldResult>((resolve, reject) => {
    child.on('close', () => {
      onConnected('');
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '') as HoldResult);
      } catch {
        reject(new Error(`hold client to ${ip}:${port} printed no result: ${out.trim()}`));
      }
    });
  });
  return { connected, result };
}

// Blocking connect() timed around the syscall alone: no event loop, no garbage collector in the
// measurement, so the tail shows the network path rather than the client. python3 when the machine
// has it (tightest), else bash's /dev/tcp. Closes with RST (SO_LINGER 0) / normally (bash).
const CONNECT_PY = `
import socket, time, sys, json
host, port, n, warmup = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
out, fails = [], 0
for i in range(n + warmup):
    s = socket.socket()
    s.settimeout(2)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b'\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00')
    t0 = time.perf_counter_ns()
    try:
        s.connect((host, port))
    except OSError:
        fails += 1
        if fails >= 3: break
        continue
    finally:
        t1 = time.perf_counter_ns()
        s.close()
    if i >= warmup: out.append((t1 - t0) / 1000)
print(json.dumps({"samplesUs": out, "failures": fails}))
`;

const CONNECT_SH = `
h=$1; p=$2; n=$3; w=$4
for ((i = 0; i < n + w; i++)); do
  t0=$EPOCHREALTIME
  exec 3<>/dev/tcp/$h/$p || exit 1
  t1=$EPOCHREALTIME
  exec 3>&- 3<&-
  (( i >= w )) && echo $(( \${t1/./} - \${t0/./} ))
done
`;

export interface ConnectTimes {
  client: 'python3' | 'bash';
  samplesUs: number[];
  failures: number;
}

let hasPython: boolean | undefined;

/** `count` sequential TCP connects (after `warmup`) from `netns` to ip:port, each timed around connect() only. */
export async function measureConnects(netns: string, ip: string, port: number, count: number, warmup = 100): Promise<ConnectTimes> {
  hasPython ??= (await execFull('sh', ['-c', 'command -v python3'], { okCodes: [0, 1, 127] })).code === 0;
  const timeoutMs = (count + warmup) * 50 + 20_000;
  if (hasPython) {
    const r = await execFull('ip', ['netns', 'exec', netns, 'python3', '-c', CONNECT_PY, ip, String(port), String(count), String(warmup)], { timeoutMs });
    const out = JSON.parse(r.stdout) as { samplesUs: number[]; failures: number };
    return { client: 'python3', ...out };
  }
  const r = await execFull('ip', ['netns', 'exec', netns, 'bash', '-c', CONNECT_SH, 'bash', ip, String(port), String(count), String(warmup)], { timeoutMs, okCodes: [0, 1] });
  const samplesUs = r.stdout.trim().split(/\s+/).filter((x) => x !== '').map(Number);
  return { client: 'bash', samplesUs, failures: count - samplesUs.length };
}
