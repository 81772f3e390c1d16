/**
 * What each named check does, against the deployed test pods: probes from a
 * client pod, retried until they give what the check wants or its time is up
 * (state propagates through etcd and the agents), each attempt recorded.
 */
import { WeftError, ErrorCode } from '../errors.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CheckName } from './catalogue.ts';
import type { ClusterHandle, Progress } from './deploy.ts';
import { applyYaml, deletePod, throwIfAborted, waitPodGone, waitPodsRunning } from './deploy.ts';
import type { DeploymentPlan } from './manifests.ts';
import { ECHO_PORT, POD, SERVICE, podDoc, policyDoc, toYaml } from './manifests.ts';
import type { PodRunner, ProbeResult, TestPod } from './probe.ts';
import { curlArgs, getentArgs, probe, resolvedAddresses, servedBy } from './probe.ts';
import type { ActionRecord } from './report.ts';
import { recordAction as record } from './report.ts';

export interface CheckEnv {
  readonly namespace: string;
  readonly local: ClusterHandle;
  readonly remote: ClusterHandle | undefined;
  readonly plan: DeploymentPlan;
  /** Deployed pods by name (both clusters; names are distinct). */
  readonly pods: Map<string, TestPod>;
  /** ClusterIPs of the first cluster's test services. */
  readonly serviceIps: ReadonlyMap<string, string>;
  readonly run: PodRunner;
  readonly progress: Progress;
  /** How long a check keeps retrying (ms). */
  readonly patienceMs: number;
  readonly signal?: AbortSignal | undefined;
  /** Set once the policy has been applied (the runner removes it after the policy checks). */
  policyApplied: boolean;
}

/** A check failed: the reason is shown beside the attempts. */
export class CheckFailure extends Error {}

type Check = (env: CheckEnv, actions: ActionRecord[]) => Promise<void>;

function pod(env: CheckEnv, name: string): TestPod {
  const p = env.pods.get(name);
  if (p === undefined) throw new WeftError(ErrorCode.Internal, `test pod ${name} was not deployed`);
  return p;
}

function serviceIp(env: CheckEnv, name: string): string {
  const ip = env.serviceIps.get(name);
  if (ip === undefined) throw new WeftError(ErrorCode.Internal, `test service ${name} has no ClusterIP`);
  return ip;
}

/** Probe until `ok` holds for one attempt; CheckFailure(what) when patience runs out. */
async function eventually(env: CheckEnv, actions: ActionRecord[], what: string, from: TestPod, argv: readonly string[], target: string, ok: (r: ProbeResult) => boolean, patienceMs = env.patienceMs): Promise<ProbeResult> {
  const deadline = Date.now() + patienceMs;
  for (;;) {
    throwIfAborted(env.signal);
    const { record: rec, result } = await probe(env.run, from, argv, target, ok);
    record(actions, rec);
    if (rec.ok) return result;
    if (Date.now() >= deadline) throw new CheckFailure(`${what}: not seen within ${patienceMs / 1000}s`);
    await sleep(300);
  }
}

const url = (ip: string): string => `http://${ip}:${ECHO_PORT}/`;
const servedByPod = (name: string) => (r: ProbeResult): boolean => r.code === 0 && servedBy(r.stdout)?.pod === name;
const servedFromCluster = (cluster: string) => (r: ProbeResult): boolean => r.code === 0 && servedBy(r.stdout)?.cluster === cluster;

function podToPod(target: string): Check {
  return async (env, actions) => {
    const to = pod(env, target);
    await eventually(env, actions, `an answer from ${to.name}`, pod(env, POD.client), curlArgs(url(to.ip)), `${to.name} (${to.ip}:${ECHO_PORT}, ${to.cluster}/${to.node})`, servedByPod(to.name));
  };
}

/** `n` answers in a row from `cluster`, after the first one. */
async function answeredBy(env: CheckEnv, actions: ActionRecord[], service: string, cluster: string, n: number, patienceMs = env.patienceMs): Promise<void> {
  const ip = serviceIp(env, service);
  const from = pod(env, POD.client);
  const target = `service ${service} (${ip}:${ECHO_PORT})`;
  const deadline = Date.now() + patienceMs;
  let streak = 0;
  while (streak < n) {
    await eventually(env, actions, `an answer to ${service} from cluster ${cluster}`, from, curlArgs(url(ip)), target, servedFromCluster(cluster), Math.max(1000, deadline - Date.now()));
    streak = 1;
    for (; streak < n; streak++) {
      const { record: rec } = await probe(env.run, from, curlArgs(url(ip)), target, servedFromCluster(cluster));
      record(actions, rec);
      if (!rec.ok) break;
    }
    if (streak < n && Date.now() >= deadline) throw new CheckFailure(`${n} answers in a row from cluster ${cluster}: not seen within ${patienceMs / 1000}s`);
  }
}

const podToServiceLocal: Check = async (env, actions) => answeredBy(env, actions, SERVICE.local, env.local.cluster, 4);

const podToServiceGlobal: Check = async (env, actions) => {
  const ip = serviceIp(env, SERVICE.global);
  const from = pod(env, POD.client);
  const want = [env.local.cluster, env.remote?.cluster ?? ''];
  const seen = new Set<string>();
  const deadline = Date.now() + env.patienceMs;
  while (!want.every((c) => seen.has(c))) {
    throwIfAborted(env.signal);
    const { record: rec, result } = await probe(env.run, from, curlArgs(url(ip)), `global service ${SERVICE.global} (${ip}:${ECHO_PORT})`, (r) => r.code === 0 && servedBy(r.stdout) !== undefined);
    record(actions, rec);
    const who = servedBy(result.stdout);
    if (rec.ok && who !== undefined) seen.add(who.cluster);
    if (Date.now() >= deadline) throw new CheckFailure(`answers from clusters ${want.join(' and ')}; seen only from ${[...seen].join(', ') || 'none'} within ${env.patienceMs / 1000}s`);
  }
};

async function resolves(env: CheckEnv, actions: ActionRecord[], name: string, ip: string): Promise<void> {
  await eventually(env, actions, `${name} resolving to ${ip}`, pod(env, POD.client), getentArgs(name), `DNS name ${name} (want ${ip})`, (r) => r.code === 0 && resolvedAddresses(r.stdout).includes(ip));
}

const dnsLocal: Check = async (env, actions) => {
  const ip = serviceIp(env, SERVICE.local);
  for (const name of [SERVICE.local, `${SERVICE.local}.${env.namespace}`, `${SERVICE.local}.${env.namespace}.svc.cluster.local`]) await resolves(env, actions, name, ip);
  await eventually(env, actions, 'an answer through the short name', pod(env, POD.client), curlArgs(`http://${SERVICE.local}:${ECHO_PORT}/`), `service ${SERVICE.local} by name`, servedFromCluster(env.local.cluster));
};

const dnsGlobal: Check = async (env, actions) => {
  const name = `${SERVICE.global}.${env.namespace}.svc.clusterset.local`;
  await resolves(env, actions, name, serviceIp(env, SERVICE.global));
  await eventually(env, actions, `an answer through ${name}`, pod(env, POD.client), curlArgs(`http://${name}:${ECHO_PORT}/`), `global service by its clusterset name`, (r) => r.code === 0 && servedBy(r.stdout) !== undefined);
};

async function ensurePolicy(env: CheckEnv): Promise<void> {
  if (env.policyApplied) return;
  env.progress(`✨ [${env.local.cluster}] Applying CiliumNetworkPolicy ${env.namespace}/echo-allow-client (ingress to ${POD.echoSameNode}:${ECHO_PORT} only from access=allowed)`);
  try {
    await applyYaml(env.local, toYaml([policyDoc(env.namespace)]), 'connectivity-test policy');
  } catch (err) {
    throw new CheckFailure(`cannot apply the CiliumNetworkPolicy: ${(err as Error).message}`);
  }
  env.policyApplied = true;
}

const policyAllow: Check = async (env, actions) => {
  await ensurePolicy(env);
  const to = pod(env, POD.echoSameNode);
  for (let i = 0; i < 3; i++) {
    await eventually(env, actions, `${POD.client} (allowed) answered by ${to.name}`, pod(env, POD.client), curlArgs(url(to.ip)), `${to.name} (${to.ip}:${ECHO_PORT})`, servedByPod(to.name));
  }
};

const policyDeny: Check = async (env, actions) => {
  await ensurePolicy(env);
  const to = pod(env, POD.echoSameNode);
  await eventually(env, actions, `${POD.client2} (no access label) denied`, pod(env, POD.client2), curlArgs(url(to.ip), 2), `${to.name} (${to.ip}:${ECHO_PORT}), expecting no answer`, (r) => r.code !== 0);
  // Denied by the policy, not by a broken path: the labelled client still gets through.
  await eventually(env, actions, `${POD.client} (allowed) still answered`, pod(env, POD.client), curlArgs(url(to.ip)), `${to.name} (${to.ip}:${ECHO_PORT})`, servedByPod(to.name));
};

const affinityFailover: Check = async (env, actions) => {
  const remote = env.remote;
  if (remote === undefined) throw new CheckFailure('needs a second cluster');
  const backend = env.plan.local.pods.find((p) => p.name === env.plan.affinityBackend);
  if (backend === undefined) throw new WeftError(ErrorCode.Internal, `no plan for pod ${env.plan.affinityBackend}`);
  await answeredBy(env, actions, SERVICE.affinity, env.local.cluster, 4);
  env.progress(`🔥 [${env.local.cluster}] Deleting ${backend.name}, the local backend of ${SERVICE.affinity}`);
  await deletePod(env.local, env.namespace, backend.name);
  try {
    await answeredBy(env, actions, SERVICE.affinity, remote.cluster, 4);
  } finally {
    // Interrupted: the test namespace goes as a whole, nothing to restore.
    if (env.signal?.aborted !== true) {
      await waitPodGone(env.local, env.namespace, backend.name, 30_000);
      env.progress(`♻️  [${env.local.cluster}] Restoring ${backend.name}`);
      await applyYaml(env.local, toYaml([podDoc(env.namespace, backend)]), 'connectivity-test restore');
      const back = await waitPodsRunning(env.local, env.namespace, [backend.name], env.progress, 60_000, env.signal);
      for (const [name, p] of back) env.pods.set(name, p);
    }
  }
  await answeredBy(env, actions, SERVICE.affinity, env.local.cluster, 4);
};

export const CHECK_IMPLEMENTATIONS: Readonly<Record<CheckName, Check>> = {
  'pod-to-pod/same-node': podToPod(POD.echoSameNode),
  'pod-to-pod/other-node': podToPod(POD.echoOtherNode),
  'pod-to-pod/other-cluster': podToPod(POD.echoOtherCluster),
  'pod-to-service/local': podToServiceLocal,
  'pod-to-service/global': podToServiceGlobal,
  'dns/local': dnsLocal,
  'dns/global': dnsGlobal,
  'policy/allow': policyAllow,
  'policy/deny': policyDeny,
  'affinity/failover': affinityFailover,
};
