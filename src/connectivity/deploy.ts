/**
 * Deploying the connectivity test's pods and services into a cluster through
 * the resource store `weft apply` writes to, waiting for them, and removing
 * them again (deleting the test namespace deletes everything in it).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { WeftError, ErrorCode } from '../errors.ts';
import type { KvBackend } from '../kvstore/backend.ts';
import { getJson, tryParseJson } from '../kvstore/json.ts';
import { keys, parseKeyOf } from '../kvstore/keys.ts';
import { parseManifests } from '../model/manifest.ts';
import { applyDocuments, getResource } from '../model/resourceStore.ts';
import { TEST_NAMESPACE_LABEL } from './manifests.ts';
import { deleteResources } from '../model/resourceDelete.ts';
import { NodeState, PodStatus, ServiceState } from '../model/state.ts';
import type { TestPod } from './probe.ts';

/** One cluster the test talks to. */
export interface ClusterHandle {
  readonly context: string;
  readonly cluster: string;
  readonly kv: KvBackend;
}

export type Progress = (line: string) => void;

const POLL_MS = 100;

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new WeftError(ErrorCode.CommandFailed, 'interrupted');
}

/** Poll `check` until it returns a value; WeftError(Timeout) naming `what` after timeoutMs. */
export async function pollUntil<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, signal?: AbortSignal): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    throwIfAborted(signal);
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() >= deadline) throw new WeftError(ErrorCode.Timeout, `timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await sleep(POLL_MS);
  }
}

/** Names of the cluster's own ready nodes, sorted. */
export async function readyNodes(h: ClusterHandle): Promise<string[]> {
  const { entries } = await h.kv.list(keys.nodesPrefix(h.cluster));
  const nodes = entries.map((e) => tryParseJson(NodeState, e.value)).flatMap((n) => (n !== undefined && n.ready && n.podCIDR !== '' ? [n.name] : []));
  return nodes.sort();
}

/** Validate and apply YAML as `weft apply -f` does (all documents or none). */
export async function applyYaml(h: ClusterHandle, yaml: string, source: string): Promise<void> {
  await applyDocuments(h.kv, parseManifests(yaml, source), { cluster: h.cluster });
}

/**
 * Whether the test namespace is there from an earlier run. A namespace of
 * that name the test did not create (without TEST_NAMESPACE_LABEL, or
 * "default") is refused: the test deletes its namespace with everything in it.
 */
export async function leftoverTestNamespace(h: ClusterHandle, namespace: string): Promise<boolean> {
  const refuse = (): never => {
    throw new WeftError(ErrorCode.Conflict, `namespace "${namespace}" in ${h.cluster} was not created by the connectivity test (no label ${TEST_NAMESPACE_LABEL.key}=${TEST_NAMESPACE_LABEL.value}) and the test deletes its namespace afterwards: choose another with --test-namespace`);
  };
  if (namespace === 'default') refuse();
  const ns = await getResource(h.kv, 'namespaces', undefined, namespace);
  if (ns === undefined) return false;
  if (ns.metadata.labels?.[TEST_NAMESPACE_LABEL.key] !== TEST_NAMESPACE_LABEL.value) refuse();
  return true;
}

/** Pods of the namespace the agents still report (their status goes once the pod is torn down). */
async function podsLeft(h: ClusterHandle, namespace: string): Promise<string[]> {
  const { entries } = await h.kv.list(keys.podStatus(namespace, ''));
  return entries.flatMap((e) => parseKeyOf('pod-status', e.key)?.pod ?? []);
}

export async function deletePod(h: ClusterHandle, namespace: string, pod: string): Promise<void> {
  await deleteResources(h.kv, [{ plural: 'pods', namespace, name: pod }]);
}

export async function waitPodGone(h: ClusterHandle, namespace: string, pod: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  await pollUntil(`pod ${namespace}/${pod} in ${h.cluster} to be torn down`, async () => ((await h.kv.get(keys.podStatus(namespace, pod))) === undefined ? true : undefined), timeoutMs, signal);
}

/** Delete the namespace (and all in it) and wait until the agents have torn its pods down. */
export async function deleteNamespace(h: ClusterHandle, namespace: string, timeoutMs: number): Promise<void> {
  await deleteResources(h.kv, [{ plural: 'namespaces', name: namespace }]);
  await pollUntil(`the pods of namespace ${namespace} in ${h.cluster} to be torn down`, async () => ((await podsLeft(h, namespace)).length === 0 ? true : undefined), timeoutMs);
}

/** Wait until every named pod is Running with an IP and a network namespace; reports each once it is. */
export async function waitPodsRunning(
  h: ClusterHandle,
  namespace: string,
  names: readonly string[],
  progress: Progress,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Map<string, TestPod>> {
  const ready = new Map<string, TestPod>();
  const started = Date.now();
  let lastNote = 0;
  const pending = (): string[] => names.filter((n) => !ready.has(n));
  await pollUntil(`pods ${names.join(', ')} in ${h.cluster} to be Running`, async () => {
    for (const name of pending()) {
      const st = await getJson(h.kv, keys.podStatus(namespace, name), PodStatus);
      if (st?.phase !== 'Running' || st.podIP === '' || st.netns === '') continue;
      ready.set(name, { name, namespace, context: h.context, cluster: h.cluster, node: st.node, ip: st.podIP, netns: st.netns });
      progress(`✅ [${h.cluster}] pod ${namespace}/${name} is Running on ${st.node} (${st.podIP})`);
    }
    const left = pending();
    if (left.length === 0) return true;
    const secs = Math.floor((Date.now() - started) / 1000);
    if (secs >= lastNote + 5) {
      lastNote = secs;
      progress(`⌛ [${h.cluster}] still waiting for ${left.join(', ')} (${secs}s)`);
    }
    return undefined;
  }, timeoutMs, signal);
  return ready;
}

/** Wait until the operator has given each named service a ClusterIP; returns name → ClusterIP. */
export async function waitServiceIps(h: ClusterHandle, namespace: string, names: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<Map<string, string>> {
  const ips = new Map<string, string>();
  await pollUntil(`ClusterIPs of ${names.join(', ')} in ${h.cluster}`, async () => {
    for (const name of names.filter((n) => !ips.has(n))) {
      const st = await getJson(h.kv, keys.service(h.cluster, namespace, name), ServiceState);
      if (st !== undefined && st.clusterIP !== '') ips.set(name, st.clusterIP);
    }
    return ips.size === names.length ? true : undefined;
  }, timeoutMs, signal);
  return ips;
}
