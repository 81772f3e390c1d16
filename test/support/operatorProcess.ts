/**
 * `weft operator` as a subprocess of an integration test, with its JSON log
 * lines, ended only through its recorded PID.
 */
import { spawn } from 'node:child_process';
import { CLI_ENTRY, NODE_BIN } from '../../src/util/paths.ts';
import { recordProcess } from '../../src/util/proc.ts';
import type { ProcessRecord } from '../../src/util/proc.ts';

export interface OperatorProc {
  rec: ProcessRecord;
  /** Everything it wrote to stderr so far. */
  log: () => string;
  /** Its stderr as JSON log lines (unparsable lines as { unparsed }). */
  lines: () => Record<string, unknown>[];
  exited: Promise<number | null>;
}

/** `extraArgs`: more flags (e.g. --kubeconfig F). */
export function startOperatorProcess(cluster: string, endpoint: string, stateDir: string, extraArgs: readonly string[] = []): OperatorProc {
  const child = spawn(NODE_BIN, ['--no-warnings=ExperimentalWarning', CLI_ENTRY, 'operator', '--cluster', cluster, '--etcd', endpoint, '--state-dir', stateDir, '--http-listen', '127.0.0.1:0', ...extraArgs], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (child.pid === undefined) throw new Error('cannot spawn the operator');
  const rec = recordProcess(child.pid);
  let err = '';
  child.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = (): Record<string, unknown>[] =>
    err
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown>;
        } catch {
          return { unparsed: l };
        }
      });
  return { rec, log: () => err, lines, exited };
}
