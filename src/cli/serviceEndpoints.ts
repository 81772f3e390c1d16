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
import { keyName, keys } from '../kvstore/keys.ts';
import { EndpointState } from '../model/state.ts';
import { serviceEndpoints } from '../services/serviceEndpoints.ts';
import type { ServiceEndpointRow } from '../services/serviceEndpoints.ts';
import { outputOption } from './config.ts';
import { withKv } from './kv.ts';
import { printColumns, printJson } from './output.ts';
import { loadServiceStates } from './services.ts';

/** `<cluster>/<ip>` → pod name, from the endpoints under `prefix` (keys end in /<ns>/<pod>). */
async function podsUnder(kv: KvBackend, cluster: string, prefix: string, into: Map<string, string>): Promise<void> {
  for (const e of (await kv.list(prefix)).entries) {
    let parsed;
    try {
      parsed = EndpointState.safeParse(JSON.parse(e.value));
    } catch {
      continue;
    }
    if (parsed.success && parsed.data.ip !== '') into.set(`${cluster}/${parsed.data.ip}`, keyName(e.key));
  }
}

/** Pod names by IP in this cluster and in every connected cluster's cached endpoints. */
export async function podsByIp(kv: KvBackend, cluster: string): Promise<Map<string, string>> {
  const remotes = (await kv.list(keys.meshRemotesPrefix())).entries.map((e) => keyName(e.key)).filter((r) => r !== cluster);
  const out = new Map<string, string>();
  await podsUnder(kv, cluster, keys.endpointsPrefix(cluster), out);
  for (const r of remotes) await podsUnder(kv, r, keys.cacheOf(r, keys.endpointsPrefix(r)), out);
  return out;
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
