/**
 * The standalone controllers (weft's own control plane, the default mode):
 * watch stores for the cluster config, nodes, PodCIDR allocations, pods and
 * workloads; after any change (debounced) one pass of planOperator, whose
 * actions are applied as compare-and-swap transactions; the services
 * controller (ClusterIPs, exported service state) runs beside it. In
 * Kubernetes mode (kube/source.ts) none of this runs.
 */
import { errorMessage } from '../errors.ts';
import type { KvBackend } from '../kvstore/backend.ts';
import { jsonParser } from '../kvstore/json.ts';
import { keys } from '../kvstore/keys.ts';
import { daemonSetKind } from '../model/kinds/daemonSet.ts';
import { deploymentKind } from '../model/kinds/deployment.ts';
import { podKind } from '../model/kinds/pod.ts';
import { statefulSetKind } from '../model/kinds/statefulSet.ts';
import type { KindDef } from '../model/kindDef.ts';
import type { ResourceBase } from '../model/meta.ts';
import { parseStoredResource } from '../model/resourceStore.ts';
import { ClusterConfig, NodeCidrAllocation, NodeState } from '../model/state.ts';
import type { Logger } from '../util/log.ts';
import { applyOperatorAction, describeAction } from './applyAction.ts';
import { createTrigger, type RunResult } from '../util/trigger.ts';
import { planOperator } from './plan.ts';
import type { OperatorAction } from './plan.ts';
import { randomSuffix } from './podTemplate.ts';
import { startServicesController } from './servicesController.ts';
import type { OperatorSnapshot } from './snapshot.ts';
import { TrackedStore } from './trackedStore.ts';

export interface StandaloneOptions {
  readonly kv: KvBackend;
  readonly cluster: string;
  readonly logger: Logger;
  readonly debounceMs?: number;
  readonly resyncMs?: number;
  readonly randomSuffix?: () => string;
  readonly now?: () => Date;
}

/** A source of the cluster's exports: the standalone controllers or the Kubernetes source. */
export interface Controllers {
  /** Resolves once everything read has been listed once. */
  readonly synced: Promise<void>;
  /** Resolves after the next pass that found nothing to do (tests). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export function startStandaloneControllers(opts: StandaloneOptions): Controllers {
  const { kv, cluster, logger: log } = opts;
  const onChange = (): void => runner.trigger();
  const track = <T>(prefix: string, parse: (key: string, value: string) => T): TrackedStore<T> =>
    new TrackedStore<T>({ kv, prefix, parse, logger: log.child({ component: 'watch-store', prefix }), onChange });
  const resource = <R extends ResourceBase>(def: KindDef<R>): TrackedStore<R> =>
    track(keys.resourcesPrefix(def.plural), (k, v) => parseStoredResource(def, k, v));

  const config = track(keys.clusterConfig(cluster), jsonParser(ClusterConfig));
  const nodes = track(keys.nodesPrefix(cluster), jsonParser(NodeState));
  const allocations = track(keys.nodeCidrAllocationsPrefix(), jsonParser(NodeCidrAllocation));
  const pods = resource(podKind);
  const deployments = resource(deploymentKind);
  const daemonSets = resource(daemonSetKind);
  const statefulSets = resource(statefulSetKind);
  const stores = [config, nodes, allocations, pods, deployments, daemonSets, statefulSets];

  const snapshot = (): OperatorSnapshot => ({
    config: config.get(keys.clusterConfig(cluster)),
    nodes: nodes.values(),
    allocations: new Map(allocations.values().map((a) => [a.cidr, a.node])),
    pods: pods.values(),
    deployments: deployments.values(),
    daemonSets: daemonSets.values(),
    statefulSets: statefulSets.values(),
  });

  /** Remember what an applied action wrote, so the next pass sees it before the watch does. */
  const remember = (a: OperatorAction, s: OperatorSnapshot): void => {
    switch (a.type) {
      case 'assignPodCidr': {
        const n = s.nodes.find((x) => x.name === a.node);
        if (n !== undefined) nodes.wrote(keys.node(cluster, a.node), { ...n, podCIDR: a.cidr });
        allocations.wrote(keys.nodeCidrAllocation(a.cidr), { cidr: a.cidr, node: a.node });
        return;
      }
      case 'recordPodCidr':
        allocations.wrote(keys.nodeCidrAllocation(a.cidr), { cidr: a.cidr, node: a.node });
        return;
      case 'releasePodCidr':
        allocations.deleted(keys.nodeCidrAllocation(a.cidr));
        return;
      case 'createPod':
        pods.wrote(keys.resource('pods', a.pod.metadata.namespace, a.pod.metadata.name), a.pod);
        return;
      case 'deletePod':
        pods.deleted(keys.resource('pods', a.namespace, a.name));
        return;
      case 'bindPod': {
        const key = keys.resource('pods', a.namespace, a.name);
        const p = pods.get(key);
        if (p !== undefined) pods.wrote(key, { ...p, spec: { ...p.spec, nodeName: a.node } });
        return;
      }
    }
  };

  let reported = new Set<string>();
  const report = (lines: readonly string[], level: 'warn' | 'info', msg: string): Set<string> => {
    const now = new Set(lines);
    for (const l of now) if (!reported.has(`${msg}\u0000${l}`)) log[level](msg, { detail: l });
    return new Set([...now].map((l) => `${msg}\u0000${l}`));
  };

  const pass = async (): Promise<RunResult> => {
    if (!stores.every((s) => s.isSynced())) return;
    const s = snapshot();
    const plan = planOperator(s, (opts.now ?? (() => new Date()))().toISOString(), opts.randomSuffix ?? randomSuffix);
    reported = new Set([...report(plan.problems, 'warn', 'operator problem'), ...report(plan.unschedulable, 'info', 'pod unschedulable: no ready node with a podCIDR')]);
    for (const a of plan.actions) {
      const outcome = await applyOperatorAction(kv, cluster, a);
      const [msg, fields] = describeAction(a);
      if (outcome === 'applied') {
        remember(a, s);
        log.info(msg, fields);
      } else {
        log.debug(`${msg}: ${outcome}`, fields);
      }
    }
    return plan.actions.length === 0 ? 'quiet' : undefined;
  };

  const runner = createTrigger(pass, opts.debounceMs ?? 20, (err) => log.warn('operator pass failed; will retry', { error: errorMessage(err) }));
  const resync = setInterval(() => runner.trigger(), opts.resyncMs ?? 5000);
  resync.unref();
  for (const s of stores) s.start();
  const services = startServicesController({
    kv,
    cluster,
    logger: log,
    ...(opts.debounceMs === undefined ? {} : { debounceMs: opts.debounceMs }),
    ...(opts.resyncMs === undefined ? {} : { resyncMs: opts.resyncMs }),
  });
  const synced = Promise.all([...stores.map((s) => s.store.synced), services.synced]).then(() => undefined);
  return {
    synced,
    idle: async () => {
      await Promise.all([runner.quiet(), services.idle()]);
    },
    stop: async () => {
      await services.stop();
      clearInterval(resync);
      runner.close();
      await runner.idle();
      for (const s of stores) s.close();
    },
  };
}
