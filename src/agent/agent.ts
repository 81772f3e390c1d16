/**
 * `weft agent`: one per node. Registers the node, serves the CNI plugin,
 * runs the pods scheduled to the node and keeps the node's datapath converged
 * with the cluster's state. Stopping the agent leaves pods and datapath in
 * place; a new agent adopts them.
 */
import type { DaemonHttp } from '../observe/daemonHttp.ts';
import { mkdirSync } from 'node:fs';
import type { z } from 'zod';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { NodeIpam } from '../cni/ipam.ts';
import { startCniServer } from '../cni/server.ts';
import { errorMessage } from '../errors.ts';
import type { KvBackend } from '../kvstore/backend.ts';
import { createEtcdKv } from '../kvstore/etcd.ts';
import type { EtcdTls } from '../kvstore/etcd.ts';
import { getJson, jsonParser } from '../kvstore/json.ts';
import { keys } from '../kvstore/keys.ts';
import { WatchStore } from '../kvstore/watchStore.ts';
import { ClusterConfig, EndpointState, IdentityState, NodeState, ServiceState } from '../model/state.ts';
import { kvConfigMapSource } from '../runtime/configMapSource.ts';
import { serviceFrontends } from '../services/frontends.ts';
import type { Logger } from '../util/log.ts';
import { createTrigger } from '../util/trigger.ts';
import { claimLoopbackAddress } from '../dns/loopbackAddress.ts';
import { hostNetTools } from '../datapath/netTools.ts';
import { ensureServiceCidrRoute } from '../datapath/routes/serviceCidrRoute.ts';
import { KernelDatapathApplier } from '../datapath/routes/apply.ts';
import { NftTableApplier } from '../datapath/nft/tableApplier.ts';
import { spawnNftSession } from '../datapath/nft/nftSession.ts';
import { POD_NAMESERVER } from '../dns/resolvConf.ts';
import { startDnsServer } from '../dns/server.ts';
import { DatapathSync } from './datapathSync.ts';
import { createAgentMetrics } from '../observe/agentMetrics.ts';
import { DEFAULT_FLOW_BUFFER } from '../observe/flowRing.ts';
import { namedLocalEndpoints, startAgentFlows } from './agentFlows.ts';
import { readDropRecords } from '../datapath/policy/policyDrops.ts';
import { knownIdentities, namespaceLabelsOf, watchNamespaces } from './identityInputs.ts';
import { localPolicyEndpoints, PolicyStore } from './policyInputs.ts';
import { PolicyCompiler } from '../policy/compile.ts';
import { AgentMeshReporter, MeshCache } from './meshCache.ts';
import type { NodeIdentity } from './nodeRegistration.ts';
import { registerNode, setNodeReady, updateNode } from './nodeRegistration.ts';
import { parseStoredPod } from './podResource.ts';
import type { StoredPod } from './podResource.ts';
import { PodStatusWriter } from './podStatusWriter.ts';
import { PodSync } from './podSync.ts';
import type { KubeletOptions } from '../kubelet/options.ts';
import { podLogLookup, registerKubeNode } from '../kubelet/kubelet.ts';
import { KubePodSource, kubeConfigMapSource } from '../kubelet/kubePodSource.ts';
import { startKubeletServer, type KubeletServer } from '../kubelet/logServer.ts';
import { KUBELET_PORT } from '../kubelet/nodeObject.ts';
import { observedPods, observeKubeNodeFrom, podWhenKnown } from '../kubelet/externalKubelet.ts';
import { watchStorePodSource, type PodSource } from './podSource.ts';

export interface AgentOptions {
  readonly cluster: string;
  readonly node: string;
  readonly nodeIp: string;
  readonly etcd: readonly string[];
  readonly stateDir: string;
  readonly tls?: EtcdTls;
  /** Kubernetes mode: pods come from the Kubernetes API (the agent acts as the node's kubelet); absent = standalone. */
  readonly kubernetes?: KubeletOptions;
  /** The agent's HTTP port (health; the agent adds its metrics and flows). */
  readonly http?: DaemonHttp;
  /** Flows kept in the ring served on GET /v1/flows (default 4096; 0 = no flow recording). */
  readonly flowBuffer?: number;
}

export interface RunningAgent {
  stop(): Promise<void>;
}

async function waitForClusterConfig(kv: KvBackend, cluster: string, logger: Logger): Promise<ClusterConfig> {
  for (let attempt = 0; ; attempt++) {
    try {
      const cfg = await getJson(kv, keys.clusterConfig(cluster), ClusterConfig);
      if (cfg !== undefined) return cfg;
      if (attempt % 10 === 0) logger.warn('waiting for the cluster configuration', { key: keys.clusterConfig(cluster) });
    } catch (err) {
      if (attempt % 10 === 0) logger.warn('cannot read the cluster configuration yet', { err: errorMessage(err) });
    }
    await sleep(500);
  }
}

function waitForPodCidr(nodes: WatchStore<NodeState>, key: string): Promise<string> {
  return new Promise((resolve) => {
    const check = (): boolean => {
      const cidr = nodes.get(key)?.podCIDR ?? '';
      if (cidr === '') return false;
      resolve(cidr);
      return true;
    };
    if (check()) return;
    const timer = setInterval(() => {
      if (check()) clearInterval(timer);
    }, 100);
  });
}

export async function runAgent(opts: AgentOptions, logger: Logger): Promise<RunningAgent> {
  mkdirSync(opts.stateDir, { recursive: true });
  const kv = createEtcdKv({ endpoints: [...opts.etcd], ...(opts.tls === undefined ? {} : { tls: opts.tls }) });
  const config = await waitForClusterConfig(kv, opts.cluster, logger);
  const id: NodeIdentity = { cluster: opts.cluster, clusterId: config.id, node: opts.node, ip: opts.nodeIp };
  await registerNode(kv, id);
  logger.info('node registered', { node: `${opts.cluster}/${opts.node}`, ip: opts.nodeIp });
  // Kubernetes mode: the Node in the API, and its PodCIDR (the controller manager's) copied to the node's record.
  // On a real cluster (--external-kubelet) the node's own kubelet runs the pods: the Node is only read.
  const externalKubelet = opts.kubernetes?.external === true;
  const registered = opts.kubernetes === undefined || externalKubelet ? undefined : await registerKubeNode(opts.kubernetes, opts.node, opts.nodeIp, logger);
  const kube = registered ?? (opts.kubernetes === undefined ? undefined : await observeKubeNodeFrom(opts.kubernetes.kubeconfig, opts.node, opts.nodeIp, logger));
  const kubeNode = registered?.node;
  if (kube !== undefined) await updateNode(kv, id, (cur) => ({ ...(cur ?? { name: id.node, cluster: id.cluster, clusterId: id.clusterId, ip: id.ip, vtep: id.ip, bootId: '', ready: false }), podCIDR: kube.podCIDR }));

  await claimLoopbackAddress(POD_NAMESERVER);
  await ensureServiceCidrRoute(hostNetTools(), config.serviceCIDR);
  const metrics = opts.http === undefined ? undefined : createAgentMetrics({
    cluster: opts.cluster,
    node: opts.node,
    dns: () => dns.stats(),
    identities: () => ({ local: identities.values().length, remote: mesh.remoteIdentities().length }),
    dropRecords: () => readDropRecords(hostNetTools()),
    flows: () => flows?.verdictCounts() ?? [],
    onCollectError: (source, err) => logger.warn('a metrics source failed', { source, err: errorMessage(err) }),
  });
  const dns = await startDnsServer({ address: POD_NAMESERVER, port: 53, logger: logger.child({ component: 'dns' }), ...(metrics === undefined ? {} : { onAnswered: metrics.dnsQuery }) });
  const datapath = new DatapathSync({
    self: id,
    routingMode: config.routingMode,
    logger: logger.child({ component: 'datapath' }),
    routes: new KernelDatapathApplier({ tools: hostNetTools() }),
    table: new NftTableApplier(hostNetTools(), { session: () => spawnNftSession(['nft']) }),
    metrics: metrics?.datapath,
  });
  const onError = (what: string) => (err: unknown) => logger.error(`${what} failed`, { err: errorMessage(err) });
  // Pods are known only once the node has a PodCIDR; until then the datapath has no local endpoints.
  let podSync: PodSync | undefined = undefined;
  const flowBuffer = opts.flowBuffer ?? DEFAULT_FLOW_BUFFER;
  const flows = opts.http === undefined || flowBuffer === 0 ? undefined : startAgentFlows({ node: opts.node, cluster: opts.cluster, capacity: flowBuffer, http: opts.http, tools: hostNetTools(), logger: logger.child({ component: 'flows' }) });
  const meshReporter = new AgentMeshReporter(kv, opts.node);
  const datapathTrigger = createTrigger(
    async () => {
      // Until every input has been listed once, the kernel keeps what it has (an agent restart
      // must not open the policy sets, nor drop routes, for the moments its watches take).
      if (![nodes, endpoints, services, identities, policies, mesh].every((w) => w.isSynced())) return;
      const localServices = services.values();
      dns.setRecords({ cluster: opts.cluster, services: localServices.map((s) => ({ namespace: s.namespace, name: s.name, clusterIP: s.clusterIP, global: s.global })) });
      const frontends = serviceFrontends({ cluster: opts.cluster, local: localServices, remote: mesh.remoteServices() });
      flows?.update(() => ({ endpoints: [...namedLocalEndpoints(endpoints.entries()), ...mesh.remoteNamedEndpoints()], frontends }));
      await datapath.sync({
        nodes: [...nodes.values(), ...mesh.remoteNodes()],
        endpoints: [...endpoints.values(), ...mesh.remoteEndpoints()],
        frontends,
        policies: policyCompiler.compile({
          cluster: opts.cluster,
          defaultLocalCluster: config.policyDefaultLocalCluster ?? true,
          policies: policies.policies(),
          endpoints: localPolicyEndpoints(endpoints.entries(), opts.cluster, opts.node),
          identities: knownIdentities(identities.entries(), mesh.remoteIdentities()),
        }),
      });
      if (mesh.isSynced()) await meshReporter.report(mesh.remotes());
    },
    20,
    onError('datapath sync'),
  );
  const policyCompiler = new PolicyCompiler();
  const policies = new PolicyStore(kv, logger, () => datapathTrigger.trigger());
  const mesh = new MeshCache(kv, logger.child({ watch: 'mesh-cache' }), () => datapathTrigger.trigger(), opts.cluster);
  /** A watch whose every change re-runs the datapath sync. */
  const datapathInput = <T>(what: string, prefix: string, schema: z.ZodType<T>): WatchStore<T> =>
    new WatchStore<T>({
      kv,
      prefix,
      parse: jsonParser(schema),
      logger: logger.child({ watch: what }),
      onUpsert: () => datapathTrigger.trigger(),
      onDelete: () => datapathTrigger.trigger(),
      onSynced: () => datapathTrigger.trigger(),
    });
  const nodes = datapathInput('nodes', keys.nodesPrefix(opts.cluster), NodeState);
  const endpoints = datapathInput('endpoints', keys.endpointsPrefix(opts.cluster), EndpointState);
  const services = datapathInput('services', keys.servicesPrefix(opts.cluster), ServiceState);
  const identities = datapathInput('identities', keys.identitiesPrefix(opts.cluster), IdentityState);
  nodes.start();
  endpoints.start();
  services.start();
  identities.start();
  policies.start();
  mesh.start();
  await nodes.synced;
  const podCIDR = await waitForPodCidr(nodes, keys.node(opts.cluster, opts.node));
  logger.info('PodCIDR assigned', { podCIDR });

  // Namespace labels are part of every endpoint's identity: a change re-writes the affected endpoints (pod sync).
  const namespaces = watchNamespaces(kv, logger.child({ watch: 'namespaces' }), () => podTrigger.trigger());
  const status = new PodStatusWriter(kv, {
    cluster: opts.cluster,
    clusterId: config.id,
    node: opts.node,
    nodeIp: opts.nodeIp,
    namespaceLabels: (ns) => namespaceLabelsOf(namespaces, ns),
  });
  const cniSocket = path.join(opts.stateDir, 'cni.sock');
  const podTrigger = createTrigger(async () => {
    const running = await podSync?.reconcile();
    if (running !== undefined && pods.isSynced()) await pods.afterReconcile?.(running);
    datapathTrigger.trigger();
  }, 20, onError('pod sync'));
  const pods: PodSource =
    kube === undefined
      ? watchStorePodSource(
          new WatchStore<StoredPod>({
            kv,
            prefix: keys.resourcesPrefix('pods'),
            parse: parseStoredPod,
            logger: logger.child({ watch: 'pods' }),
            onUpsert: () => podTrigger.trigger(),
            onDelete: () => podTrigger.trigger(),
            onSynced: () => podTrigger.trigger(),
          }),
        )
      : externalKubelet
        ? observedPods(new KubePodSource({ api: kube.api, node: opts.node, nodeIp: opts.nodeIp, logger: logger.child({ watch: 'pods' }), onChange: () => podTrigger.trigger() }))
        : new KubePodSource({ api: kube.api, node: opts.node, nodeIp: opts.nodeIp, logger: logger.child({ watch: 'pods' }), onChange: () => podTrigger.trigger() });
  podSync = new PodSync(
    {
      stateDir: opts.stateDir,
      cluster: opts.cluster,
      node: opts.node,
      cniSocket,
      logger: logger.child({ component: 'pods' }),
      configMaps: kube === undefined ? kvConfigMapSource(kv) : kubeConfigMapSource(kube.api),
    },
    pods,
    status,
  );

  const ipam = new NodeIpam({ cidr: podCIDR, stateFile: path.join(opts.stateDir, 'ipam.json') });
  const cni = await startCniServer({
    socketPath: cniSocket,
    ipam,
    logger: logger.child({ component: 'cni' }),
    onAdd: async (ep) => {
      // A real kubelet's CNI ADD can come before the pod watch delivers the pod.
      const pod = externalKubelet ? await podWhenKnown(() => pods.get(ep.podNamespace, ep.podName)) : pods.get(ep.podNamespace, ep.podName);
      if (pod !== undefined) await status.endpoint(pod, ep.ip);
      datapathTrigger.trigger();
    },
    onDel: async (ep) => {
      if (ep.podNamespace !== undefined && ep.podName !== undefined) await status.forgetEndpoint(ep.podNamespace, ep.podName);
      datapathTrigger.trigger();
    },
  });
  namespaces.start();
  await namespaces.synced;
  pods.start();

  await setNodeReady(kv, id, true);
  // A failed report is not fatal: the next status report (within a minute) carries Ready.
  await kubeNode?.setReady(true).catch(onError('reporting the Node Ready'));
  const kubeletServer: KubeletServer | undefined =
    opts.kubernetes?.server === undefined
      ? undefined
      : await startKubeletServer({ host: opts.nodeIp, port: KUBELET_PORT, tls: opts.kubernetes.server, lookup: podLogLookup(pods, opts.stateDir, opts.node), logger: logger.child({ component: 'kubelet-api' }) });
  logger.info('agent ready', { node: `${opts.cluster}/${opts.node}`, routing: config.routingMode });

  const ticker = setInterval(() => podTrigger.trigger(), 2000);
  const resync = setInterval(() => {
    datapath.markDirty();
    datapathTrigger.trigger();
  }, 60_000);
  const tick = setInterval(() => datapathTrigger.trigger(), 15_000);
  if (metrics !== undefined) opts.http?.route('/metrics', () => metrics.scrape());

  return {
    stop: async () => {
      clearInterval(ticker);
      clearInterval(resync);
      clearInterval(tick);
      podTrigger.close();
      datapathTrigger.close();
      await Promise.all([podTrigger.idle(), datapathTrigger.idle()]);
      kubeNode?.stop();
      await kubeletServer?.close();
      await pods.close();
      nodes.close();
      endpoints.close();
      services.close();
      identities.close();
      namespaces.close();
      policies.close();
      mesh.close();
      await cni.close();
      await dns.close();
      await datapath.close();
      await flows?.stop();
      await kv.close();
    },
  };
}
