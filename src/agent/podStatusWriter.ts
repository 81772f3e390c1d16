/**
 * Writes what the agent observes of its pods: weft/status/pods/… (phase, IP,
 * processes) and the exported endpoint weft/state/endpoints/v1/…. Remembers
 * what it last wrote so a periodic reconcile costs no etcd writes.
 */
import type { KvBackend } from '../kvstore/backend.ts';
import { keys } from '../kvstore/keys.ts';
import type { EndpointState, PodStatus } from '../model/state.ts';
import type { StoredPod } from './podResource.ts';
import { endpointLabels, namedPorts } from './podResource.ts';

export class PodStatusWriter {
  readonly #kv: KvBackend;
  readonly #cluster: string;
  readonly #node: string;
  readonly #nodeIp: string;
  readonly #written = new Map<string, string>();

  constructor(kv: KvBackend, where: { cluster: string; node: string; nodeIp: string }) {
    this.#kv = kv;
    this.#cluster = where.cluster;
    this.#node = where.node;
    this.#nodeIp = where.nodeIp;
  }

  async #put(key: string, value: string): Promise<void> {
    if (this.#written.get(key) === value) return;
    await this.#kv.put(key, value);
    this.#written.set(key, value);
  }

  async #delete(key: string): Promise<void> {
    await this.#kv.delete(key);
    this.#written.delete(key);
  }

  status(ns: string, name: string, s: Omit<PodStatus, 'node' | 'hostIP'>): Promise<void> {
    const full: PodStatus = { ...s, node: this.#node, hostIP: this.#nodeIp };
    return this.#put(keys.podStatus(ns, name), JSON.stringify(full));
  }

  endpoint(pod: StoredPod, ip: string): Promise<void> {
    const ep: EndpointState = {
      ip,
      node: this.#node,
      hostIP: this.#nodeIp,
      identity: 0,
      labels: endpointLabels(pod, this.#cluster),
      namedPorts: namedPorts(pod),
      ready: true,
    };
    return this.#put(keys.endpoint(this.#cluster, pod.metadata.namespace, pod.metadata.name), JSON.stringify(ep));
  }

  async forget(ns: string, name: string): Promise<void> {
    await this.#delete(keys.endpoint(this.#cluster, ns, name));
    await this.#delete(keys.podStatus(ns, name));
  }
}
