/**
 * Writes what the agent observes of its pods: weft/status/pods/… (phase, IP,
 * processes) and the exported endpoint weft/state/endpoints/v1/…, which
 * carries the pod's security identity: allocated (or reused) and touched in
 * the same transaction as the endpoint write (see identity/allocator.ts).
 * Remembers what it last wrote so a periodic reconcile costs no etcd writes.
 */
import type { KvBackend } from '../kvstore/backend.ts';
import { keys } from '../kvstore/keys.ts';
import type { EndpointState, PodStatus } from '../model/state.ts';
import { IdentityAllocator } from '../identity/allocator.ts';
import { canonicalJson } from '../model/canonicalJson.ts';
import type { StoredPod } from './podResource.ts';
import { endpointLabels, namedPorts } from './podResource.ts';

export interface PodStatusWriterOptions {
  readonly cluster: string;
  /** The cluster id (upper bits of its identities). */
  readonly clusterId: number;
  readonly node: string;
  readonly nodeIp: string;
  /** The labels of a Namespace object; undefined when it has none (yet). */
  readonly namespaceLabels: (namespace: string) => Readonly<Record<string, string>> | undefined;
  /** Allocator of this cluster's identities (tests); default: one over `kv`. */
  readonly allocator?: IdentityAllocator;
}

export class PodStatusWriter {
  readonly #kv: KvBackend;
  readonly #cluster: string;
  readonly #node: string;
  readonly #nodeIp: string;
  readonly #namespaceLabels: PodStatusWriterOptions['namespaceLabels'];
  readonly #allocator: IdentityAllocator;
  readonly #written = new Map<string, string>();

  constructor(kv: KvBackend, opts: PodStatusWriterOptions) {
    this.#kv = kv;
    this.#cluster = opts.cluster;
    this.#node = opts.node;
    this.#nodeIp = opts.nodeIp;
    this.#namespaceLabels = opts.namespaceLabels;
    this.#allocator = opts.allocator ?? new IdentityAllocator({ kv, cluster: opts.cluster, clusterId: opts.clusterId });
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

  /**
   * Write the pod's endpoint with its identity (labels from the pod and its
   * Namespace). Skipped when nothing changed since the last write; a changed
   * label set (pod or namespace labels) moves the endpoint to its new identity.
   * Returns the identity.
   */
  async endpoint(pod: StoredPod, ip: string): Promise<number> {
    const key = keys.endpoint(this.#cluster, pod.metadata.namespace, pod.metadata.name);
    const labels = endpointLabels(pod, this.#cluster, this.#namespaceLabels(pod.metadata.namespace));
    const rest = { ip, node: this.#node, hostIP: this.#nodeIp, labels, namedPorts: namedPorts(pod), ready: true };
    const signature = canonicalJson(rest);
    const prev = this.#written.get(key);
    if (prev !== undefined && prev.startsWith(`${signature}\u0000`)) return Number(prev.slice(signature.length + 1));
    const identity = await this.#allocator.writeWithIdentity(labels, (id) => {
      const ep: EndpointState = { ...rest, identity: id };
      return [{ op: 'put', key, value: JSON.stringify(ep) }];
    });
    this.#written.set(key, `${signature}\u0000${identity}`);
    return identity;
  }

  /** Delete the pod's endpoint (CNI DEL); the next endpoint() writes it again, whatever it held before. */
  forgetEndpoint(ns: string, name: string): Promise<void> {
    return this.#delete(keys.endpoint(this.#cluster, ns, name));
  }

  async forget(ns: string, name: string): Promise<void> {
    await this.forgetEndpoint(ns, name);
    await this.#delete(keys.podStatus(ns, name));
  }
}
