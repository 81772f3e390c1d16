/**
 * The lab planner (pure): a cluster spec becomes hosts, addresses, netns and
 * link names, state folders and the argv of every process. No I/O here.
 */
import path from 'node:path';
import { WeftError, ErrorCode } from '../errors.ts';
import { formatIp, hostAt, parseCidr } from '../util/cidr.ts';
import type { ClusterConfig, RoutingMode } from '../model/state.ts';
import { etcdLimitFlags } from '../kvstore/etcdLimits.ts';
import type { KubeBins } from '../kube/bins.ts';
import { agentKubeFlags, apiserverArgv, controllerManagerArgv, kubeEtcdArgv, operatorKubeFlags, schedulerArgv } from '../kube/argv.ts';
import type { ControlPlaneInput } from '../kube/argv.ts';
import { apiServerUrl, kubeLayout } from '../kube/layout.ts';
import type { KubeLayout } from '../kube/layout.ts';

export const DEFAULT_UNDERLAY_CIDR = '172.30.0.0/16';
export const UNDERLAY_NETNS = 'wf-underlay';
export const UNDERLAY_BRIDGE = 'br0';
/** The root netns end of the veth that joins the "docker host" to the underlay. */
export const ROOT_VETH = 'weft0';
/** Its peer, attached to the bridge in the underlay netns. */
export const ROOT_VETH_PEER = 'uroot';
/** Host netns names start with this, and cluster netns with `wf-<cluster>_`. */
export const NETNS_PREFIX = 'wf-';
export const MAX_NODES = 244;

/** The Kubernetes control plane of a `--kubernetes` cluster, on the control-plane host. */
export const KUBE_PROCESS_NAMES = ['kube-etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const;
/** mesh-proxy runs on the control-plane host once `clustermesh enable` has issued its certificates. */
export const LAB_PROCESS_NAMES = ['etcd', 'operator', 'mesh-proxy', 'agent', ...KUBE_PROCESS_NAMES] as const;
export type LabProcessName = (typeof LAB_PROCESS_NAMES)[number];
export type HostRole = 'control-plane' | 'node';

export interface LabClusterSpec {
  name: string;
  id: number;
  nodes: number;
  podCIDRs: string[];
  serviceCIDR: string;
  routing: RoutingMode;
  nodeCidrMaskSize: number;
  /** ClusterConfig.policyDefaultLocalCluster; undefined = not written (true). */
  policyDefaultLocalCluster?: boolean | undefined;
  /** `--kubernetes`: a Kubernetes control plane is the source of truth. */
  kubernetes?: boolean | undefined;
}

export interface UnderlayPlan {
  cidr: string;
  netns: string;
  bridge: string;
  rootVeth: string;
  rootPeer: string;
  /** Address of the root netns on the underlay, with prefix: 172.30.0.1/16. */
  rootAddress: string;
}

export interface ProcessPlan {
  name: LabProcessName;
  /** Full argv, starting with `nsenter --net=/run/netns/<netns> --`. */
  argv: string[];
  logFile: string;
}

export interface HostPlan {
  /** cp, n1, n2, … (node names are the host names). */
  name: string;
  role: HostRole;
  netns: string;
  ip: string;
  /** ip/prefix of eth0 inside the host netns. */
  address: string;
  /** Host-side veth in the underlay netns (≤ 15 chars). */
  underlayVeth: string;
  dir: string;
  processes: ProcessPlan[];
}

export interface ClusterPlan {
  spec: LabClusterSpec;
  /** Every netns of the cluster (hosts and pods) starts with this. */
  netnsPrefix: string;
  dir: string;
  cpIp: string;
  /** The etcd client URL reachable from the root netns and every host. */
  endpoint: string;
  hosts: HostPlan[];
  clusterConfig: ClusterConfig;
  /** Kubernetes mode: the API server's URL and where every file of its PKI and kubeconfigs lives. */
  kubernetes?: { apiServer: string; layout: KubeLayout };
}

export interface PlanEnv {
  /** `${weftHome()}/lab` */
  labDir: string;
  nodeBin: string;
  cliEntry: string;
  etcdBin: string;
  /** Kubernetes mode only: the control-plane binaries and `${weftHome()}/pki`. */
  kube?: { bins: KubeBins; pkiRoot: string } | undefined;
}

export function planUnderlay(cidr: string): UnderlayPlan {
  const c = parseCidr(cidr);
  if (c.prefix > 16) {
    throw new WeftError(ErrorCode.InvalidCidr, `lab underlay ${cidr} is too small: it needs a /16 or larger (one /24 per cluster id)`);
  }
  return {
    cidr,
    netns: UNDERLAY_NETNS,
    bridge: UNDERLAY_BRIDGE,
    rootVeth: ROOT_VETH,
    rootPeer: ROOT_VETH_PEER,
    rootAddress: `${formatIp(hostAt(c, 1))}/${c.prefix}`,
  };
}

/** Address of host `index` (0 = control plane, i = node i) of cluster `id`: <underlay>.id.(10+index). */
export function hostIp(underlayCidr: string, clusterId: number, index: number): string {
  return formatIp(hostAt(parseCidr(underlayCidr), clusterId * 256 + 10 + index));
}

export function clusterNetnsPrefix(cluster: string): string {
  return `${NETNS_PREFIX}${cluster}_`;
}

export function hostNetns(cluster: string, host: string): string {
  return `${clusterNetnsPrefix(cluster)}${host}`;
}

export function underlayVethName(clusterId: number, host: string): string {
  const name = `u${clusterId}-${host}`;
  if (name.length > 15) throw new WeftError(ErrorCode.Internal, `veth name ${name} is longer than 15 characters`);
  return name;
}

export function nodeHostNames(nodes: number): string[] {
  return Array.from({ length: nodes }, (_, i) => `n${i + 1}`);
}

/**
 * Runs argv in the netns. Not `ip netns exec`: that also unshares the mount
 * namespace (slave propagation), so netns the agent creates for pods with
 * `ip netns add` would be bind-mounted only in the agent's private mount
 * namespace — invisible to the root namespace and lost on agent restart.
 * nsenter switches only the network namespace and execs argv (same PID).
 */
function inNetns(netns: string, argv: readonly string[]): string[] {
  return ['nsenter', `--net=/run/netns/${netns}`, '--', ...argv];
}

/**
 * Daemons cap V8's young generation at 8 MiB: parsing a large initial list
 * (100k remote endpoints) otherwise grows it to ~100 MiB and never gives it
 * back (bench/meshScale.ts: 2.9 → 1.8 KiB of agent RSS per remote endpoint).
 */
function weftArgv(env: PlanEnv, args: readonly string[]): string[] {
  return [env.nodeBin, '--no-warnings=ExperimentalWarning', '--max-semi-space-size=8', env.cliEntry, ...args];
}

function etcdArgv(env: PlanEnv, dir: string, cpIp: string): string[] {
  return [
    env.etcdBin,
    '--name=cp',
    `--data-dir=${path.join(dir, 'etcd')}`,
    `--listen-client-urls=http://${cpIp}:2379,http://127.0.0.1:2379`,
    `--advertise-client-urls=http://${cpIp}:2379`,
    '--listen-peer-urls=http://127.0.0.1:2380',
    '--initial-advertise-peer-urls=http://127.0.0.1:2380',
    '--initial-cluster=cp=http://127.0.0.1:2380',
    '--initial-cluster-state=new',
    '--logger=zap',
    '--log-level=warn',
    ...etcdLimitFlags(),
  ];
}

export function planCluster(spec: LabClusterSpec, underlay: UnderlayPlan, env: PlanEnv): ClusterPlan {
  const prefixLen = parseCidr(underlay.cidr).prefix;
  const dir = path.join(env.labDir, spec.name);
  const cpIp = hostIp(underlay.cidr, spec.id, 0);
  const endpoint = `http://${cpIp}:2379`;
  const host = (name: string, role: HostRole, index: number): Omit<HostPlan, 'processes'> => {
    const ip = hostIp(underlay.cidr, spec.id, index);
    return {
      name,
      role,
      netns: hostNetns(spec.name, name),
      ip,
      address: `${ip}/${prefixLen}`,
      underlayVeth: underlayVethName(spec.id, name),
      dir: path.join(dir, name),
    };
  };
  const log = (hostDir: string, proc: LabProcessName): string => path.join(hostDir, `${proc}.log`);

  const cp = host('cp', 'control-plane', 0);
  const layout = spec.kubernetes === true ? planKubeLayout(spec, env, dir, cp.dir) : undefined;
  const kubeProcs: ProcessPlan[] = [];
  if (layout !== undefined && env.kube !== undefined) {
    const podCIDR = spec.podCIDRs[0] ?? '';
    const input: ControlPlaneInput = { bins: env.kube.bins, etcdBin: env.etcdBin, layout, cpIp, podCIDR, serviceCIDR: spec.serviceCIDR, nodeCidrMaskSize: spec.nodeCidrMaskSize };
    const argvs: [LabProcessName, string[]][] = [
      ['kube-etcd', kubeEtcdArgv(input)],
      ['kube-apiserver', apiserverArgv(input)],
      ['kube-controller-manager', controllerManagerArgv(input)],
      ['kube-scheduler', schedulerArgv(input)],
    ];
    for (const [name, argv] of argvs) kubeProcs.push({ name, argv: inNetns(cp.netns, argv), logFile: log(cp.dir, name) });
  }
  const cpPlan: HostPlan = {
    ...cp,
    processes: [
      { name: 'etcd', argv: inNetns(cp.netns, etcdArgv(env, cp.dir, cpIp)), logFile: log(cp.dir, 'etcd') },
      ...kubeProcs,
      {
        name: 'operator',
        argv: inNetns(
          cp.netns,
          weftArgv(env, [
            'operator',
            '--cluster',
            spec.name,
            '--etcd',
            'http://127.0.0.1:2379',
            '--state-dir',
            cp.dir,
            ...(layout === undefined ? [] : operatorKubeFlags(layout)),
          ]),
        ),
        logFile: log(cp.dir, 'operator'),
      },
    ],
  };
  const nodes = nodeHostNames(spec.nodes).map((name, i): HostPlan => {
    const h = host(name, 'node', i + 1);
    const kube = layout === undefined ? [] : agentKubeFlags(layout, name);
    const argv = weftArgv(env, ['agent', '--cluster', spec.name, '--node', name, '--node-ip', h.ip, '--etcd', endpoint, '--state-dir', h.dir, ...kube]);
    return { ...h, processes: [{ name: 'agent', argv: inNetns(h.netns, argv), logFile: log(h.dir, 'agent') }] };
  });

  return {
    spec,
    netnsPrefix: clusterNetnsPrefix(spec.name),
    dir,
    cpIp,
    endpoint,
    hosts: [cpPlan, ...nodes],
    clusterConfig: {
      id: spec.id,
      name: spec.name,
      podCIDRs: [...spec.podCIDRs],
      serviceCIDR: spec.serviceCIDR,
      routingMode: spec.routing,
      nodeCidrMaskSize: spec.nodeCidrMaskSize,
      capabilities: [],
      ...(spec.policyDefaultLocalCluster === undefined ? {} : { policyDefaultLocalCluster: spec.policyDefaultLocalCluster }),
    },
    ...(layout === undefined ? {} : { kubernetes: { apiServer: apiServerUrl(cpIp), layout } }),
  };
}

function planKubeLayout(spec: LabClusterSpec, env: PlanEnv, clusterDir: string, cpDir: string): KubeLayout {
  if (env.kube === undefined) throw new WeftError(ErrorCode.Internal, `lab cluster ${spec.name}: Kubernetes mode planned without the control-plane binaries`);
  if (spec.podCIDRs.length !== 1) {
    throw new WeftError(ErrorCode.InvalidInput, `--kubernetes takes one pod CIDR (the controller manager's --cluster-cidr); got ${spec.podCIDRs.join(',')}`);
  }
  return kubeLayout(path.join(env.kube.pkiRoot, spec.name, 'kube'), clusterDir, cpDir, nodeHostNames(spec.nodes));
}
