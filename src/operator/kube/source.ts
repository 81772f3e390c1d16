/**
 * The operator's Kubernetes source (Kubernetes mode): informers on the API
 * server (informer.ts) feed the same exports the standalone controllers
 * write. After any change (debounced), one pass computes what must be in
 * etcd — weft/state/services/v1/<cluster>/… from Services and
 * EndpointSlices (serviceExport.ts) and the mirrored weft/resources/
 * prefixes (mirror.ts) — and writes the difference against what etcd holds,
 * deleting what the API no longer has. Each output waits for its own
 * informers' first list, so a missing CRD does not hold up services.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { errorMessage } from '../../errors.ts';
import type { KvBackend } from '../../kvstore/backend.ts';
import { keys } from '../../kvstore/keys.ts';
import { ciliumNetworkPolicyKind } from '../../model/kinds/ciliumNetworkPolicy.ts';
import { namespaceKind } from '../../model/kinds/namespace.ts';
import { networkPolicyKind } from '../../model/kinds/networkPolicy.ts';
import type { KindDef } from '../../model/kindDef.ts';
import type { Resource } from '../../model/resources.ts';
import type { Logger } from '../../util/log.ts';
import { createTrigger, type RunResult } from '../../util/trigger.ts';
import type { Controllers } from '../standalone.ts';
import { TrackedStore } from '../trackedStore.ts';
import { getJson, loadKubeConfig } from './client.ts';
import { startKubeInformer, type InformerSpec, type KubeInformer } from './informer.ts';
import { mirrorKind, planMirror, type MirrorAction, type MirrorResult } from './mirror.ts';
import type { KubeSourceOptions } from './options.ts';
import { exportServiceStates } from './serviceExport.ts';

export interface KubeSourceStartOptions {
  readonly kv: KvBackend;
  readonly cluster: string;
  readonly logger: Logger;
  readonly kube: KubeSourceOptions;
  readonly debounceMs?: number;
  readonly resyncMs?: number;
}

export interface KubeSource extends Controllers {
  /** The informers by resource name (tests: generations and lists). */
  informers(): ReadonlyMap<string, KubeInformer>;
}

/** Where endpoints come from: discovery.k8s.io v1 (1.21+), v1beta1 (1.17–1.24), else v1 Endpoints. */
export function endpointsSpec(groupVersions: readonly string[]): InformerSpec {
  for (const v of ['v1', 'v1beta1']) {
    if (groupVersions.includes(v)) return { name: 'endpointslices', path: `/apis/discovery.k8s.io/${v}/endpointslices`, apiVersion: `discovery.k8s.io/${v}`, kind: 'EndpointSlice' };
  }
  return { name: 'endpoints', path: '/api/v1/endpoints', apiVersion: 'v1', kind: 'Endpoints' };
}

async function discoveryVersions(kc: KubeConfig): Promise<string[]> {
  try {
    const group = (await getJson(kc, '/apis/discovery.k8s.io')) as { versions?: { version?: unknown }[] };
    return (group.versions ?? []).flatMap((v) => (typeof v.version === 'string' ? [v.version] : []));
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'NotFound') return [];
    throw err;
  }
}

const SERVICES: InformerSpec = { name: 'services', path: '/api/v1/services', apiVersion: 'v1', kind: 'Service' };
const MIRRORED: readonly { def: KindDef<Resource>; spec: InformerSpec }[] = [
  { def: namespaceKind, spec: { name: 'namespaces', path: '/api/v1/namespaces', apiVersion: 'v1', kind: 'Namespace' } },
  { def: networkPolicyKind, spec: { name: 'networkpolicies', path: '/apis/networking.k8s.io/v1/networkpolicies', apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' } },
  { def: ciliumNetworkPolicyKind, spec: { name: 'ciliumnetworkpolicies', path: '/apis/cilium.io/v2/ciliumnetworkpolicies', apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy' } },
];

export function startKubeSource(opts: KubeSourceStartOptions): KubeSource {
  const { kv, cluster } = opts;
  const log = opts.logger;
  const kc = loadKubeConfig(opts.kube.kubeconfig);
  const onChange = (): void => runner.trigger();
  const track = (prefix: string): TrackedStore<string> => new TrackedStore<string>({ kv, prefix, parse: (_k, v) => v, logger: log.child({ component: 'watch-store', prefix }), onChange });
  const exported = track(keys.servicesPrefix(cluster));
  const mirrors = MIRRORED.map((m) => ({ ...m, store: track(keys.resourcesPrefix(m.def.plural)) }));
  const stores = [exported, ...mirrors.map((m) => m.store)];
  const informers = new Map<string, KubeInformer>();
  let stopped = false;
  const backoffOpts = { ...(opts.kube.minBackoffMs === undefined ? {} : { minBackoffMs: opts.kube.minBackoffMs }), ...(opts.kube.maxBackoffMs === undefined ? {} : { maxBackoffMs: opts.kube.maxBackoffMs }) };
  const inform = (spec: InformerSpec): KubeInformer => {
    const i = startKubeInformer({ kc, spec, logger: log.child({ component: 'informer' }), onChange, ...backoffOpts });
    informers.set(spec.name, i);
    return i;
  };

  let reported = new Set<string>();
  const report = (problems: readonly string[]): void => {
    for (const p of problems) if (!reported.has(p)) log.warn('kubernetes object not exported', { detail: p });
    reported = new Set(problems);
  };

  const apply = async (store: TrackedStore<string>, actions: readonly MirrorAction[], what: string): Promise<void> => {
    for (const a of actions) {
      if (a.type === 'put') {
        await kv.put(a.key, a.value);
        store.wrote(a.key, a.value);
        if (a.created) log.info(`${what} written`, { key: a.key });
        else log.debug(`${what} updated`, { key: a.key });
      } else {
        await kv.delete(a.key);
        store.deleted(a.key);
        log.info(`${what} deleted (gone from the API)`, { key: a.key });
      }
    }
  };

  let endpoints: InformerSpec | undefined;
  const pass = async (): Promise<RunResult> => {
    let changes = 0;
    const problems: string[] = [];
    const services = informers.get(SERVICES.name);
    const eps = endpoints === undefined ? undefined : informers.get(endpoints.name);
    if (services?.isSynced() === true && eps?.isSynced() === true && exported.isSynced() && endpoints !== undefined) {
      const out = exportServiceStates(cluster, services.list(), { kind: endpoints.kind === 'EndpointSlice' ? 'slices' : 'endpoints', items: eps.list() });
      problems.push(...out.problems);
      const actions = planMirror(out.states, new Map(exported.entries()));
      await apply(exported, actions, 'service state');
      changes += actions.length;
    }
    for (const m of mirrors) {
      const inf = informers.get(m.spec.name);
      if (inf?.isSynced() !== true || !m.store.isSynced()) continue;
      const out: MirrorResult = { desired: new Map(), problems };
      mirrorKind(m.def, inf.list(), out);
      const actions = planMirror(out.desired, new Map(m.store.entries()));
      await apply(m.store, actions, `mirrored ${m.def.kind}`);
      changes += actions.length;
    }
    report(problems);
    return changes === 0 ? 'quiet' : undefined;
  };

  const runner = createTrigger(pass, opts.debounceMs ?? 20, (err) => log.warn('kubernetes source pass failed; will retry', { error: errorMessage(err) }));
  const resync = setInterval(() => runner.trigger(), opts.resyncMs ?? 5000);
  resync.unref();
  for (const s of stores) s.start();

  /** The endpoints API is chosen once the API server answers (retried until it does). */
  const started = (async () => {
    let delay = opts.kube.minBackoffMs ?? 500;
    for (;;) {
      if (stopped) return;
      try {
        endpoints = endpointsSpec(await discoveryVersions(kc));
        break;
      } catch (err) {
        log.warn('the Kubernetes API server does not answer yet; retrying', { server: kc.getCurrentCluster()?.server ?? '', error: errorMessage(err), retryInMs: delay });
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, opts.kube.maxBackoffMs ?? 10_000);
      }
    }
    log.info('kubernetes source starting', { server: kc.getCurrentCluster()?.server ?? '', endpoints: endpoints.apiVersion });
    for (const spec of [SERVICES, endpoints, ...MIRRORED.map((m) => m.spec)]) inform(spec);
  })();

  /** The service exports are complete (what the sync marker stands for); mirrors follow on their own (a missing CRD must not hold this up). */
  const synced = started.then(async () => {
    const exportInformers = [SERVICES.name, endpoints?.name ?? ''].flatMap((n) => informers.get(n) ?? []);
    await Promise.all([...exportInformers.map((i) => i.synced), exported.store.synced]);
    log.info('kubernetes source synced', { cluster });
  });

  return {
    synced,
    informers: () => informers,
    idle: () => runner.quiet(),
    stop: async () => {
      stopped = true;
      await started;
      for (const i of informers.values()) await i.stop();
      clearInterval(resync);
      runner.close();
      await runner.idle();
      for (const s of stores) s.close();
    },
  };
}
