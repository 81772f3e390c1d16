/**
 * The operator's services controller: watches the cluster config, Service
 * objects, the cluster's endpoints, the ClusterIP records and the exported
 * service states; after any change (debounced) one pass allocates/releases
 * ClusterIPs and writes the exported ServiceState of every Service that
 * holds one (keys.service), deleting the states of Services that are gone.
 */
import { errorMessage } from '../errors.ts';
import type { KvBackend } from '../kvstore/backend.ts';
import { jsonParser } from '../kvstore/json.ts';
import { keys, parseKeyOf } from '../kvstore/keys.ts';
import { serviceKind } from '../model/kinds/service.ts';
import { parseStoredResource } from '../model/resourceStore.ts';
import { ClusterConfig, ClusterIpAllocation, EndpointState, ServiceState } from '../model/state.ts';
import type { NamespacedEndpoint } from '../services/backends.ts';
import type { Logger } from '../util/log.ts';
import { serviceId } from './clusterIpAllocator.ts';
import { createTrigger, type RunResult } from '../util/trigger.ts';
import { applyClusterIpAction, applyServiceStateAction, describeServiceAction } from './servicesApply.ts';
import { planServiceIps, planServiceStates } from './servicesPlan.ts';
import type { ServicesSnapshot } from './servicesPlan.ts';
import { TrackedStore } from './trackedStore.ts';

export interface ServicesControllerOptions {
  readonly kv: KvBackend;
  readonly cluster: string;
  readonly logger: Logger;
  /** Delay between a change and the pass it triggers. Default 20 ms. */
  readonly debounceMs?: number;
  /** A pass at least this often (retries after kv errors). Default 5000 ms. */
  readonly resyncMs?: number;
}

export interface ServicesController {
  /** Resolves once every watch store has listed its prefix. */
  readonly synced: Promise<void>;
  /** Resolves after the next pass that found nothing to do (tests). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/** The exported endpoints with their namespace, read from their keys (a malformed key is left out). */
function namespacedEndpoints(entries: readonly (readonly [string, EndpointState])[]): NamespacedEndpoint[] {
  return entries.flatMap(([key, endpoint]) => {
    const k = parseKeyOf('endpoint', key);
    return k === undefined ? [] : [{ namespace: k.ns, endpoint }];
  });
}

export function startServicesController(opts: ServicesControllerOptions): ServicesController {
  const { kv, cluster } = opts;
  const log = opts.logger.child({ controller: 'services' });
  const onChange = (): void => runner.trigger();
  const track = <T>(prefix: string, parse: (key: string, value: string) => T): TrackedStore<T> =>
    new TrackedStore<T>({ kv, prefix, parse, logger: log.child({ component: 'watch-store', prefix }), onChange });

  const config = track(keys.clusterConfig(cluster), jsonParser(ClusterConfig));
  const services = track(keys.resourcesPrefix(serviceKind.plural), (k, v) => parseStoredResource(serviceKind, k, v));
  const endpoints = track(keys.endpointsPrefix(cluster), jsonParser(EndpointState));
  const allocations = track(keys.clusterIpAllocationsPrefix(), jsonParser(ClusterIpAllocation));
  const exported = track(keys.servicesPrefix(cluster), jsonParser(ServiceState));
  const stores = [config, services, endpoints, allocations, exported];

  const snapshot = (): ServicesSnapshot => ({
    cluster,
    config: config.get(keys.clusterConfig(cluster)),
    services: services.values(),
    endpoints: namespacedEndpoints(endpoints.entries()),
    allocations: new Map(allocations.values().map((a) => [a.ip, { namespace: a.namespace, name: a.name }])),
    exported: new Map(exported.entries()),
  });

  let reported = new Set<string>();
  const report = (problems: readonly string[]): void => {
    for (const p of problems) if (!reported.has(p)) log.warn('services problem', { detail: p });
    reported = new Set(problems);
  };

  const pass = async (): Promise<RunResult> => {
    if (!stores.every((s) => s.isSynced())) return;
    const s = snapshot();
    const ipPlan = planServiceIps(s);
    report(ipPlan.problems);
    const ips = new Map(ipPlan.ips);
    let changes = 0;
    for (const a of ipPlan.actions) {
      const outcome = await applyClusterIpAction(kv, a);
      const [msg, fields] = describeServiceAction(a);
      if (outcome === 'applied') {
        changes++;
        const key = keys.clusterIpAllocation(a.ip);
        if (a.type === 'allocateClusterIp') allocations.wrote(key, { ip: a.ip, namespace: a.namespace, name: a.name });
        else allocations.deleted(key);
        log.info(msg, fields);
      } else {
        if (a.type === 'allocateClusterIp') ips.delete(serviceId(a));
        log.debug(`${msg}: ${outcome}`, fields);
        runner.trigger();
      }
    }
    for (const a of planServiceStates(s, ips)) {
      const outcome = await applyServiceStateAction(kv, a);
      const [msg, fields] = describeServiceAction(a);
      changes++;
      if (a.type === 'putServiceState') exported.wrote(a.key, a.state);
      else exported.deleted(a.key);
      if (outcome === 'applied' && !(a.type === 'putServiceState' && !a.created)) log.info(msg, fields);
      else log.debug(msg, fields);
    }
    return changes === 0 && ipPlan.actions.length === 0 ? 'quiet' : undefined;
  };

  const runner = createTrigger(pass, opts.debounceMs ?? 20, (err) => log.warn('services pass failed; will retry', { error: errorMessage(err) }));
  const resync = setInterval(() => runner.trigger(), opts.resyncMs ?? 5000);
  resync.unref();
  for (const s of stores) s.start();
  const synced = Promise.all(stores.map((s) => s.store.synced)).then(() => log.info('services controller synced', { cluster }));

  return {
    synced,
    idle: () => runner.quiet(),
    stop: async () => {
      clearInterval(resync);
      runner.close();
      await runner.idle();
      for (const s of stores) s.close();
    },
  };
}
