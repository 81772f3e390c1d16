/**
 * `weft service endpoints NAME [-n NS] [-o json]`: one service's endpoints
 * across the mesh, like `istioctl proxy-config endpoints`: ENDPOINT (ip:port),
 * STATUS (HEALTHY / UNHEALTHY), CLUSTER, NODE, POD — the local service's
 * backends and, for a global service, the mesh cache's copies of the same
 * service in the connected clusters.
 */
import type { Command } from 'commander';
import { WeftError, ErrorCode } from '../errors.ts';
import type { KvBackend } from '../kvstore/backend.ts';
import { serviceEndpoints } from '../services/serviceEndpoints.ts';
import type { ServiceEndpointRow } from '../services/serviceEndpoints.ts';
import { outputOption } from './config.ts';
import { loadEndpoints } from './endpoint.ts';
import { withKv } from './kv.ts';
import { printColumns, printJson } from './output.ts';
import { loadServiceStates } from './serviceStates.ts';

/** Pod names by `<cluster>/<ip>` in this cluster and in every connected cluster's cached endpoints. */
export async function podsByIp(kv: KvBackend, cluster: string): Promise<Map<string, string>> {
  const rows = await loadEndpoints(kv, cluster, { allClusters: true }, () => undefined);
  return new Map(rows.filter((r) => r.endpoint.ip !== '').map((r) => [`${r.cluster}/${r.endpoint.ip}`, r.pod]));
}

export function serviceEndpointTableRows(rows: readonly ServiceEndpointRow[]): string[][] {
  return rows.map((r) => [r.endpoint, r.status, r.cluster, r.node || '<unknown>', r.pod || '<unknown>']);
}

export function registerServiceEndpoints(service: Command): void {
  service
    .command('endpoints')
    .description("a service's endpoints across the mesh (ENDPOINT STATUS CLUSTER NODE POD), like `istioctl proxy-config endpoints`")
    .argument('<name>', 'service name')
    .option('-n, --namespace <ns>', 'namespace of the service', 'default')
    .addOption(outputOption())
    .action(async (name: string, opts: { namespace: string; output: string }, cmd: Command) => {
      await withKv(cmd, async (kv, ctx) => {
        const { local, remote } = await loadServiceStates(kv, ctx.cluster, (msg) => process.stderr.write(`warning: ${msg}\n`));
        const rows = serviceEndpoints({ cluster: ctx.cluster, namespace: opts.namespace, name, local, remote, podsByIp: await podsByIp(kv, ctx.cluster) });
        if (rows === undefined) {
          throw new WeftError(ErrorCode.NotFound, `service "${name}" not found in namespace "${opts.namespace}" of cluster ${ctx.cluster} (or it has no ClusterIP yet; see weft get services -n ${opts.namespace})`);
        }
        if (opts.output === 'json') {
          printJson(rows);
          return;
        }
        if (rows.length === 0) {
          process.stderr.write(`Service ${opts.namespace}/${name} has no endpoints.\n`);
          return;
        }
        printColumns(['ENDPOINT', 'STATUS', 'CLUSTER', 'NODE', 'POD'], serviceEndpointTableRows(rows));
      });
    });
}
