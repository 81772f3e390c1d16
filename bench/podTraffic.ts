/**
 * Traffic between pod network namespaces, for the datapath benchmark and the
 * datapath integration tests: a TCP echo server, a request/response latency
 * client (also the reachability probe: the machine has no ping) and iperf3.
 * Every process runs under `ip netns exec` and is stopped by its recorded PID.
 */
import { spawn } from 'node:child_process';
import { execFull } from '../src/util/exec.ts';
import { NODE_BIN } from '../src/util/paths.ts';
import { recordProcess, stopProcess } from '../src/util/proc.ts';
import type { ProcessRecord } from '../src/util/proc.ts';

const ECHO_SERVER = `
import net from 'node:net';
const [host, port] = process.argv.slice(1);
net.createServer((s) => { s.setNoDelay(true); s.on('error', () => {}); s.pipe(s); })
  .listen(Number(port), host, () => console.log('ready'));
`;

const RTT_CLIENT = `
import net from 'node:net';
const [host, port, count, warmup, size, timeoutMs] = process.argv.slice(1).map((v, i) => (i === 0 ? v : Number(v)));
const fail = (why) => { console.log(JSON.stringify({ ok: false, error: String(why) })); process.exit(1); };
setTimeout(() => fail('timed out after ' + timeoutMs + ' ms'), timeoutMs).unref();
const s = net.connect({ host, port }, () => {
  s.setNoDelay(true);
  const msg = Buffer.alloc(size, 120);
  const samples = [];
  let got = 0, sent = 0, t0 = 0n;
  const send = () => { got = 0; sent++; t0 = process.hrtime.bigint(); s.write(msg); };
  s.on('data', (d) => {
    got += d.length;
    if (got < size) return;
    if (sent > warmup) samples.push(Number(process.hrtime.bigint() - t0) / 1000);
    if (samples.length >= count) { s.end(); console.log(JSON.stringify({ ok: true, samplesUs: samples })); process.exit(0); }
    send();
  });
  send();
});
s.on('error', fail);
`;

export interface RunningServer {
  stop(): Promise<void>;
}

/** Spawn `cmd` inside `netns` and resolve once a stdout line matches `ready`. */
export async function startInNetns(netns: string, argv: string[], ready: RegExp, timeoutMs = 10_000): Promise<RunningServer> {
  const child = spawn('ip', ['netns', 'exec', netns, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`cannot start ${argv[0] ?? '?'} in netns ${netns}`);
  const rec: ProcessRecord = recordProcess(child.pid);
  const stop = async (): Promise<void> => {
    await stopProcess(rec, 2000);
  };
  let out = '';
  let err = '';
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${argv[0] ?? '?'} in ${netns} not ready after ${timeoutMs} ms: ${err.trim()}`)), timeoutMs);
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        if (ready.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${argv[0] ?? '?'} in ${netns} exited with ${code ?? 'a signal'}: ${err.trim()}`));
      });
    });
  } catch (e) {
    await stop();
    throw e;
  }
  child.stdout.resume();
  return { stop };
}

export function startEchoServer(netns: string, ip: string, port: number): Promise<RunningServer> {
  return startInNetns(netns, [NODE_BIN, '--input-type=module', '-e', ECHO_SERVER, ip, String(port)], /ready/);
}

export interface RttResult {
  ok: boolean;
  error?: string;
  samplesUs?: number[];
}

/** `count` sequential request/response round trips of `size` bytes on one TCP connection, after `warmup` more. */
export async function measureRtt(netns: string, ip: string, port: number, opts: { count: number; warmup?: number; size?: number; timeoutMs?: number }): Promise<RttResult> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const args = [ip, port, opts.count, opts.warmup ?? 0, opts.size ?? 64, timeoutMs].map(String);
  const r = await execFull('ip', ['netns', 'exec', netns, NODE_BIN, '--input-type=module', '-e', RTT_CLIENT, ...args], {
    okCodes: [0, 1],
    timeoutMs: timeoutMs + 5000,
  });
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as RttResult;
  } catch {
    return { ok: false, error: `no result from the client: ${r.stderr.trim() || line}` };
  }
}

/** True when one TCP round trip from `fromNetns` to ip:port succeeds within `timeoutMs`. */
export async function tcpReachable(fromNetns: string, ip: string, port: number, timeoutMs = 3000): Promise<boolean> {
  return (await measureRtt(fromNetns, ip, port, { count: 1, timeoutMs })).ok;
}

export interface IperfResult {
  /** Receiver-side throughput, bits per second. */
  bitsPerSecond: number;
  retransmits: number;
}

/** One iperf3 TCP run of `seconds` (after 1 s of slow start that is not counted) from clientNetns to a one-off server in serverNetns. */
export async function runIperf(serverNetns: string, serverIp: string, clientNetns: string, seconds: number, port = 5201): Promise<IperfResult> {
  const server = await startInNetns(serverNetns, ['iperf3', '-s', '-1', '-B', serverIp, '-p', String(port), '--forceflush'], /Server listening/);
  try {
    const out = await execFull('ip', ['netns', 'exec', clientNetns, 'iperf3', '-c', serverIp, '-p', String(port), '-t', String(seconds), '-O', '1', '-J'], {
      timeoutMs: (seconds + 21) * 1000,
    });
    const json = JSON.parse(out.stdout) as { end?: { sum_received?: { bits_per_second?: number }; sum_sent?: { retransmits?: number } } };
    return { bitsPerSecond: json.end?.sum_received?.bits_per_second ?? 0, retransmits: json.end?.sum_sent?.retransmits ?? 0 };
  } finally {
    await server.stop();
  }
}
