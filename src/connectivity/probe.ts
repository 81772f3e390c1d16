/**
 * Probing from inside a test pod: the commands a check runs (curl, getent),
 * what their answers say (who served the request, which address a name
 * resolved to), and the runner that executes them in the pod's network
 * namespace, as `weft exec` does.
 */
import { execFull } from '../util/exec.ts';
import type { ActionRecord } from './report.ts';
import { clip } from './report.ts';

/** A running test pod as the checks see it. */
export interface TestPod {
  readonly name: string;
  readonly namespace: string;
  /** The context it was deployed through (for the commands shown). */
  readonly context: string;
  readonly cluster: string;
  readonly node: string;
  readonly ip: string;
  /** Its network namespace (ip netns). */
  readonly netns: string;
}

export interface ProbeResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs argv inside a pod's network namespace. */
export type PodRunner = (pod: TestPod, argv: readonly string[]) => Promise<ProbeResult>;

/** The real runner: `ip netns exec NETNS argv…` (the pod's resolv.conf applies), bounded by timeoutMs. */
export function netnsRunner(timeoutMs = 15_000): PodRunner {
  return async (pod, argv) => {
    try {
      return await execFull('ip', ['netns', 'exec', pod.netns, ...argv], { timeoutMs, okCodes: Array.from({ length: 256 }, (_, i) => i) });
    } catch (err) {
      return { code: -1, stdout: '', stderr: (err as Error).message };
    }
  };
}

export function curlArgs(url: string, maxTimeSec = 3): string[] {
  return ['curl', '-sS', '--connect-timeout', String(Math.min(2, maxTimeSec)), '--max-time', String(maxTimeSec), url];
}

export function getentArgs(name: string): string[] {
  return ['getent', 'hosts', name];
}

/** Who answered, from the built-in echo server's reply ("Request served by <pod>" … "Cluster: <c>"). */
export function servedBy(stdout: string): { pod: string; cluster: string } | undefined {
  const pod = /^Request served by (\S+)/m.exec(stdout)?.[1];
  const cluster = /^Cluster: (\S+)/m.exec(stdout)?.[1];
  return pod === undefined || cluster === undefined ? undefined : { pod, cluster };
}

/** The addresses of `getent hosts` output. */
export function resolvedAddresses(stdout: string): string[] {
  return stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((a) => a !== '');
}

/** What came back, for a report: who served, or the exit code and the error. */
export function describeResult(r: ProbeResult): string {
  const who = servedBy(r.stdout);
  if (r.code === 0 && who !== undefined) return `exit 0: served by ${who.pod} in cluster ${who.cluster}`;
  if (r.code === 0) return `exit 0: ${clip(r.stdout) || '(no output)'}`;
  const curlTimeout = r.code === 28 ? ' (timed out)' : '';
  return `exit ${r.code}${curlTimeout}: ${clip(r.stderr || r.stdout) || '(no output)'}`;
}

export function quoteCommand(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** Run argv in `from` and record the action; `ok` decides from the result whether it is what the check wanted. */
export async function probe(
  run: PodRunner,
  from: TestPod,
  argv: readonly string[],
  target: string,
  ok: (r: ProbeResult) => boolean,
): Promise<{ record: ActionRecord; result: ProbeResult }> {
  const result = await run(from, argv);
  const record = { description: `${from.name} (${from.ip}) → ${target}`, command: `weft --context ${from.context} exec -n ${from.namespace} ${from.name} -- ${quoteCommand(argv)}`, ok: ok(result), output: describeResult(result), attempts: 1 };
  return { record, result };
}
