/**
 * The real `etcdctl` (Debian etcd-client) as a client we did not write: every
 * call bounded in time (dial 2 s, command 4 s, process 10 s).
 */
import { spawn } from 'node:child_process';

export interface EtcdctlIdentity {
  endpoint: string;
  cacert: string;
  cert: string;
  key: string;
}

export interface EtcdctlRun {
  code: number;
  out: string;
}

/** `quick`: for calls expected to fail at the TLS handshake (etcdctl retries until its deadline). */
export function etcdctl(id: EtcdctlIdentity, args: readonly string[], opts: { quick?: boolean } = {}): Promise<EtcdctlRun> {
  const deadlines = opts.quick === true ? ['--dial-timeout=1s', '--command-timeout=1500ms'] : ['--dial-timeout=2s', '--command-timeout=4s'];
  const argv = ['--endpoints', id.endpoint, '--cacert', id.cacert, '--cert', id.cert, '--key', id.key, ...deadlines, ...args];
  return new Promise((resolve) => {
    const child = spawn('etcdctl', argv, { env: { ...process.env, ETCDCTL_API: '3' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => chunks.push(b));
    child.stderr.on('data', (b: Buffer) => chunks.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, out: Buffer.concat(chunks).toString() });
    });
  });
}
