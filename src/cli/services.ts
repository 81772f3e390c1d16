/**
 * `weft service list`: the service frontends of the cluster as a node sees
 * them, like `cilium service list`: each ClusterIP:port/protocol with its
 * backends, the cluster of each, its state and the preferred mark — computed
 * with serviceFrontends over the cluster's exported services and the cached
 * services of every connected remote cluster.
 */
import type { Command } from 'commander';
import type { ServiceState } from '../model/state.ts';
import { serviceFrontends } from '../services/frontends.ts';
import type { Frontend, FrontendBackend } from '../services/frontends.ts';
import { outputOption } from './config.ts';
import { withKv } from './kv.ts';
import { printColumns, printJson } from './output.ts';
import { registerServiceEndpoints } from './serviceEndpoints.ts';
import { loadServiceStates } from './serviceStates.ts';

function backendText(b: FrontendBackend, i: number, protocol: string): string {
  return `${i + 1} => ${b.ip}:${b.port}/${protocol} (${b.cluster}) (${b.ready ? 'active' : 'not-ready'})${b.preferred ? ' (preferred)' : ''}`;
}

/** Rows of the table: one per backend, the frontend's cells on its first row only. */
export function serviceListRows(frontends: readonly Frontend[], states: readonly ServiceState[] = []): string[][] {
  const stateOf = new Map(states.map((s) => [`${s.namespace}/${s.name}`, s]));
  const rows: string[][] = [];
  frontends.forEach((f, n) => {
    const s = stateOf.get(`${f.namespace}/${f.name}`);
    const flags = s?.global === true ? ` (global${s.affinity === 'none' ? '' : `, affinity ${s.affinity}`}${s.shared ? '' : ', not shared'})` : '';
    const head = [String(n + 1), `${f.clusterIP}:${f.port}/${f.protocol}`, 'ClusterIP', `${f.namespace}/${f.name}${flags}`];
    const backends = f.allBackends.map((b, i) => backendText(b, i, f.protocol));
    if (backends.length === 0) backends.push('(no backends)');
    backends.forEach((text, i) => rows.push(i === 0 ? [...head, text] : ['', '', '', '', text]));
  });
  return rows;
}

export function registerServices(program: Command): void {
  const service = program.command('service').description('services of the cluster (frontends and backends, like `cilium service list`)');
  service
    .command('list')
    .description('list each ClusterIP:port/protocol with its backends (cluster, state, preferred), global services merged across the mesh')
    .addOption(outputOption())
    .action(async (opts: { output: string }, cmd: Command) => {
      await withKv(cmd, async (kv, ctx) => {
        const { local, remote } = await loadServiceStates(kv, ctx.cluster, (msg) => process.stderr.write(`warning: ${msg}\n`));
        const frontends = serviceFrontends({ cluster: ctx.cluster, local, remote });
        if (opts.output === 'json') {
          printJson(frontends.map((f, i) => ({ id: i + 1, ...f })));
          return;
        }
        if (frontends.length === 0) {
          process.stderr.write('No services.\n');
          return;
        }
        printColumns(['ID', 'Frontend', 'Service Type', 'Service', 'Backend'], serviceListRows(frontends, local));
      });
    });
  registerServiceEndpoints(service);
}
