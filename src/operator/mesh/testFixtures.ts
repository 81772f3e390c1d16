/**
 * Test support for the reflector: remote state values, a local MemoryKv that
 * counts (and can fail) transactions, and a poll-until helper.
 */
import { WeftError, ErrorCode } from '../../errors.ts';
import type { KvCompare, KvOp } from '../../kvstore/backend.ts';
import { keys } from '../../kvstore/keys.ts';
import { MemoryKv } from '../../kvstore/memory.ts';
import type { ClusterConfig, EndpointState, NodeState } from '../../model/state.ts';
import { RemoteStatus } from '../../model/remoteStatus.ts';

export function nodeState(cluster: string, name: string, ip = '172.30.2.11'): NodeState {
  return { name, cluster, clusterId: 2, ip, podCIDR: '10.2.1.0/24', vtep: ip, bootId: 'boot', ready: true };
}

export function endpointState(ip: string, node = 'n1'): EndpointState {
  return { ip, node, hostIP: '172.30.2.11', identity: 0x020001, labels: { app: 'echo', 'io.cilium.k8s.policy.cluster': 'c2' }, namedPorts: [], ready: true };
}

export function clusterConfig(name: string, id = 2): ClusterConfig {
  return { id, name, podCIDRs: [`10.${id}.0.0/16`], serviceCIDR: `10.10${id}.0.0/16`, routingMode: 'native', nodeCidrMaskSize: 24, capabilities: [] };
}

/** Write a small cluster (config, nodes, endpoints, optional sync marker) into `kv`. */
export async function seedCluster(kv: MemoryKv, cluster: string, opts: { nodes?: number; endpoints?: number; marker?: boolean } = {}): Promise<void> {
  await kv.put(keys.clusterConfig(cluster), JSON.stringify(clusterConfig(cluster)));
  for (let i = 1; i <= (opts.nodes ?? 2); i++) await kv.put(keys.node(cluster, `n${i}`), JSON.stringify(nodeState(cluster, `n${i}`, `172.30.2.${10 + i}`)));
  for (let i = 1; i <= (opts.endpoints ?? 3); i++) await kv.put(keys.endpoint(cluster, 'default', `p${i}`), JSON.stringify(endpointState(`10.2.1.${i}`)));
  if (opts.marker ?? true) await kv.put(keys.synced(cluster, 'state'), new Date().toISOString());
}

/** A MemoryKv that counts transactions, remembers the largest, and fails the next `failTxns`. */
export class CountingKv extends MemoryKv {
  txns = 0;
  maxOps = 0;
  failTxns = 0;

  override txn(compares: readonly KvCompare[], ops: readonly KvOp[]): Promise<boolean> {
    if (this.failTxns > 0) {
      this.failTxns--;
      return Promise.reject(new WeftError(ErrorCode.KvUnavailable, 'counting kv: txn failed (simulated)'));
    }
    this.txns++;
    this.maxOps = Math.max(this.maxOps, ops.length);
    return super.txn(compares, ops);
  }
}

/** Keys under `prefix`, relative to it, sorted. */
export async function keysUnder(kv: MemoryKv, prefix: string): Promise<string[]> {
  return (await kv.list(prefix)).entries.map((e) => e.key.slice(prefix.length));
}

export async function readStatus(kv: MemoryKv, remote: string): Promise<RemoteStatus | undefined> {
  const e = await kv.get(keys.meshStatus(remote));
  return e === undefined ? undefined : RemoteStatus.parse(JSON.parse(e.value));
}

export async function until(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
