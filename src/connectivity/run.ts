/**
 * `weft connectivity test`, end to end: plan the checks, deploy the test
 * pods and services in the cluster(s), wait for them, run the checks in
 * order, and always remove what was deployed (also after a failure or an
 * interrupt).
 */
import { WeftError, ErrorCode, errorMessage } from '../errors.ts';
import { keys } from '../kvstore/keys.ts';
import { parseManifests } from '../model/manifest.ts';
import { deleteDocuments } from '../model/resourceDelete.ts';
import type { CheckInfo, Planned } from './catalogue.ts';
import { planChecks } from './catalogue.ts';
import type { CheckEnv } from './checks.ts';
import { CHECK_IMPLEMENTATIONS, CheckFailure } from './checks.ts';
import type { ClusterHandle, Progress } from './deploy.ts';
import { applyYaml, deleteNamespace, leftoverTestNamespace, readyNodes, throwIfAborted, waitPodsRunning, waitServiceIps } from './deploy.ts';
import type { ClusterPlan, DeploymentPlan } from './manifests.ts';
import { clusterYaml, planDeployment, policyDoc, toYaml } from './manifests.ts';
import type { PodRunner, TestPod } from './probe.ts';
import type { ActionRecord, CheckResult } from './report.ts';
import { formatCheck } from './report.ts';

export interface ConnectivityRun {
  readonly local: ClusterHandle;
  readonly remote: ClusterHandle | undefined;
  readonly namespace: string;
  /** --test patterns. */
  readonly patterns: readonly string[];
  readonly run: PodRunner;
  readonly progress: Progress;
  readonly signal?: AbortSignal | undefined;
  /** How long a check retries before failing (default 20 s). */
  readonly patienceMs?: number;
  /** How long deploying may take (default 120 s). */
  readonly deployTimeoutMs?: number;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

async function deployCluster(h: ClusterHandle, namespace: string, plan: ClusterPlan, leftover: boolean, r: ConnectivityRun): Promise<{ pods: Map<string, TestPod>; ips: Map<string, string> }> {
  const timeout = r.deployTimeoutMs ?? 120_000;
  if (leftover) {
    r.progress(`🧹 [${h.cluster}] Namespace ${namespace} is left from an earlier run: deleting it first`);
    await deleteNamespace(h, namespace, 60_000);
  }
  r.progress(`✨ [${h.cluster}] Creating namespace ${namespace} with ${plural(plan.pods.length, 'pod')} and ${plural(plan.services.length, 'service')} (${plan.pods.map((p) => `${p.name}@${p.node}`).join(', ')})`);
  await applyYaml(h, clusterYaml(namespace, plan), `connectivity-test ${h.cluster}`);
  r.progress(`⌛ [${h.cluster}] Waiting for ${plural(plan.pods.length, 'pod')} to be Running and services to get ClusterIPs...`);
  const pods = await waitPodsRunning(h, namespace, plan.pods.map((p) => p.name), r.progress, timeout, r.signal);
  const ips = await waitServiceIps(h, namespace, plan.services.map((s) => s.name), timeout, r.signal);
  return { pods, ips };
}

async function runOne(check: CheckInfo, env: CheckEnv): Promise<CheckResult> {
  const actions: ActionRecord[] = [];
  const start = Date.now();
  const base = { name: check.name, description: check.description, actions };
  try {
    await CHECK_IMPLEMENTATIONS[check.name](env, actions);
    return { ...base, status: 'passed', durationMs: Date.now() - start };
  } catch (err) {
    if (env.signal?.aborted === true) throw err;
    const reason = err instanceof CheckFailure ? err.message : `error: ${errorMessage(err)}`;
    return { ...base, status: 'failed', durationMs: Date.now() - start, reason };
  }
}

async function removePolicy(env: CheckEnv): Promise<void> {
  if (!env.policyApplied) return;
  await deleteDocuments(env.local.kv, parseManifests(toYaml([policyDoc(env.namespace)]), 'connectivity-test policy'));
  env.policyApplied = false;
}

/** Checks to run, after making sure a second cluster is connected to the first. */
async function preflight(r: ConnectivityRun): Promise<{ planned: Planned[]; plan: DeploymentPlan }> {
  const localNodes = await readyNodes(r.local);
  if (localNodes.length === 0) throw new WeftError(ErrorCode.NotFound, `cluster ${r.local.cluster} (context ${r.local.context}) has no ready node`);
  let remoteNodes: string[] | undefined;
  if (r.remote !== undefined) {
    if (r.remote.cluster === r.local.cluster) throw new WeftError(ErrorCode.InvalidInput, `--multi-cluster ${r.remote.context} is the same cluster as --context (${r.local.cluster})`);
    if ((await r.local.kv.get(keys.meshRemote(r.remote.cluster))) === undefined) {
      throw new WeftError(ErrorCode.NotFound, `cluster ${r.local.cluster} is not connected to ${r.remote.cluster}: run \`weft clustermesh connect --context ${r.local.context} --destination-context ${r.remote.context}\` first`);
    }
    remoteNodes = await readyNodes(r.remote);
    if (remoteNodes.length === 0) throw new WeftError(ErrorCode.NotFound, `cluster ${r.remote.cluster} (context ${r.remote.context}) has no ready node`);
  }
  const planned = planChecks({ patterns: r.patterns, multiCluster: r.remote !== undefined, nodes: localNodes.length });
  return { planned, plan: planDeployment({ namespace: r.namespace, localNodes, remoteNodes }) };
}

/** Run the connectivity test; returns every planned check's result (skipped ones included). */
export async function runConnectivityTest(r: ConnectivityRun): Promise<CheckResult[]> {
  const { planned, plan } = await preflight(r);
  const clusters: [ClusterHandle, ClusterPlan, boolean][] = [[r.local, plan.local, await leftoverTestNamespace(r.local, r.namespace)]];
  if (r.remote !== undefined && plan.remote !== undefined) clusters.push([r.remote, plan.remote, await leftoverTestNamespace(r.remote, r.namespace)]);
  const results: CheckResult[] = [];
  const deployed: ClusterHandle[] = [];
  try {
    const pods = new Map<string, TestPod>();
    let serviceIps = new Map<string, string>();
    for (const [h, p, leftover] of clusters) {
      deployed.push(h);
      const out = await deployCluster(h, r.namespace, p, leftover, r);
      for (const [k, v] of out.pods) pods.set(k, v);
      if (h === r.local) serviceIps = out.ips;
    }
    const env: CheckEnv = { namespace: r.namespace, local: r.local, remote: r.remote, plan, pods, serviceIps, run: r.run, progress: r.progress, patienceMs: r.patienceMs ?? 20_000, signal: r.signal, policyApplied: false };
    const toRun = planned.filter((p) => p.run).length;
    r.progress(`🏃 Running ${plural(toRun, 'check')}${toRun === planned.length ? '' : ` (${planned.length - toRun} skipped)`}...`);
    for (const p of planned) {
      throwIfAborted(r.signal);
      const result: CheckResult = p.run ? await runOne(p.check, env) : { name: p.check.name, description: p.check.description, status: 'skipped', durationMs: 0, reason: p.reason, actions: [] };
      results.push(result);
      for (const line of formatCheck(result)) r.progress(line);
      if (!p.check.name.startsWith('policy/') || planned.some((q) => q.run && q.check.name.startsWith('policy/') && !results.some((x) => x.name === q.check.name))) continue;
      await removePolicy(env);
    }
    return results;
  } finally {
    for (const h of deployed.reverse()) {
      r.progress(`🧹 [${h.cluster}] Deleting namespace ${r.namespace} and everything the test deployed in it...`);
      try {
        await deleteNamespace(h, r.namespace, 60_000);
      } catch (err) {
        r.progress(`❌ [${h.cluster}] cleanup: ${errorMessage(err)} (remove it with \`weft --context ${h.context} delete namespace ${r.namespace}\`)`);
      }
    }
  }
}
