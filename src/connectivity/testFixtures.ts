/**
 * An in-memory stand-in for a lab mesh, for the connectivity runner's unit
 * tests: per cluster a MemoryKv whose pods "run" (a status with an IP) and
 * whose services get a ClusterIP shortly after they are applied, and a pod
 * runner answering curl/getent the way the echo server, the services (global,
 * affinity local) and the policy would.
 */
import { MemoryKv } from '../kvstore/memory.ts';
import { keys, parseKeyOf } from '../kvstore/keys.ts';
import { listResources } from '../model/resourceStore.ts';
import type { ClusterHandle } from './deploy.ts';
import { POLICY_NAME } from './manifests.ts';
import type { PodRunner, ProbeResult, TestPod } from './probe.ts';

interface FakePod {
  readonly name: string;
  readonly cluster: string;
  readonly ip: string;
  readonly labels: Record<string, string>;
}

interface FakeService {
  readonly name: string;
  readonly ip: string;
  readonly selector: Record<string, string>;
  readonly annotations: Record<string, string>;
}

export interface FakeOptions {
  /** Drop the policy-denied traffic (default true). */
  readonly enforcePolicy?: boolean;
}

export class FakeCluster {
  readonly kv = new MemoryKv();
  readonly pods = new Map<string, FakePod>();
  readonly services = new Map<string, FakeService>();
  readonly name: string;
  readonly #octet: number;
  #next = 2;

  constructor(name: string, octet: number) {
    this.name = name;
    this.#octet = octet;
  }

  handle(): ClusterHandle {
    return { context: this.name, cluster: this.name, kv: this.kv };
  }

  async addNodes(names: readonly string[]): Promise<void> {
    for (const [i, n] of names.entries()) {
      const node = { name: n, cluster: this.name, clusterId: this.#octet, ip: `172.30.${this.#octet}.${11 + i}`, podCIDR: `10.${this.#octet}.${i}.0/24`, vtep: '', bootId: 'b', ready: true };
      await this.kv.put(keys.node(this.name, n), JSON.stringify(node));
    }
  }

  /** What the operator and the agents would do: run applied pods, give services ClusterIPs, tear down deleted pods. */
  async reconcile(): Promise<void> {
    const pods = (await listResources(this.kv, 'pods')) as unknown as { metadata: { name: string; namespace: string; labels?: Record<string, string> }; spec: { nodeName: string } }[];
    const wanted = new Set(pods.map((p) => p.metadata.name));
    for (const [name] of this.pods) if (!wanted.has(name)) this.pods.delete(name);
    const { entries } = await this.kv.list(keys.podStatusPrefix());
    for (const e of entries) if (!wanted.has(parseKeyOf('pod-status', e.key)?.pod ?? '')) await this.kv.delete(e.key);
    for (const p of pods) {
      if (this.pods.has(p.metadata.name)) continue;
      const ip = `10.${this.#octet}.0.${this.#next++}`;
      this.pods.set(p.metadata.name, { name: p.metadata.name, cluster: this.name, ip, labels: p.metadata.labels ?? {} });
      const status = { phase: 'Running', node: p.spec.nodeName, podIP: ip, hostIP: '', pids: [], netns: `fake-${p.metadata.name}`, startedAt: '', restarts: 0, message: '' };
      await this.kv.put(keys.podStatus(p.metadata.namespace, p.metadata.name), JSON.stringify(status));
    }
    const svcs = (await listResources(this.kv, 'services')) as unknown as { metadata: { name: string; namespace: string; annotations?: Record<string, string> }; spec: { selector?: Record<string, string> } }[];
    this.services.clear();
    for (const [i, s] of svcs.entries()) {
      const svc = { name: s.metadata.name, ip: `10.${100 + this.#octet}.0.${10 + i}`, selector: s.spec.selector ?? {}, annotations: s.metadata.annotations ?? {} };
      this.services.set(svc.name, svc);
      const state = { name: svc.name, namespace: s.metadata.namespace, cluster: this.name, clusterIP: svc.ip, ports: [], backends: [], global: false, shared: true, affinity: 'none' };
      await this.kv.put(keys.service(this.name, s.metadata.namespace, svc.name), JSON.stringify(state));
    }
  }

  backends(service: string): FakePod[] {
    const s = this.services.get(service);
    if (s === undefined) return [];
    return [...this.pods.values()].filter((p) => Object.entries(s.selector).every(([k, v]) => p.labels[k] === v));
  }
}

const answer = (p: FakePod): ProbeResult => ({ code: 0, stdout: `Request served by ${p.name}\n\nPod: ${p.name}\nCluster: ${p.cluster}\n`, stderr: '' });
const timeout: ProbeResult = { code: 28, stdout: '', stderr: 'curl: (28) Connection timed out' };

/** The fake mesh of `clusters` (the first is where the clients run). */
export function fakeRunner(clusters: readonly FakeCluster[], opts: FakeOptions = {}): PodRunner {
  let turn = 0;
  const all = (): FakePod[] => clusters.flatMap((c) => [...c.pods.values()]);
  return async (from: TestPod, argv: readonly string[]): Promise<ProbeResult> => {
    const home = clusters.find((c) => c.name === from.cluster);
    if (home === undefined) return { code: 1, stdout: '', stderr: `no cluster ${from.cluster}` };
    const names = (svc: { name: string; annotations: Record<string, string> }): string[] => {
      const base = [svc.name, `${svc.name}.${from.namespace}`, `${svc.name}.${from.namespace}.svc.cluster.local`];
      return svc.annotations['service.cilium.io/global'] === 'true' ? [...base, `${svc.name}.${from.namespace}.svc.clusterset.local`] : base;
    };
    const lookup = (host: string): string | undefined => [...home.services.values()].find((s) => names(s).includes(host))?.ip ?? (/^\d/.test(host) ? host : undefined);
    if (argv[0] === 'getent') {
      const ip = lookup(argv[2] ?? '');
      return ip === undefined || ip === argv[2] ? { code: 2, stdout: '', stderr: '' } : { code: 0, stdout: `${ip}  ${argv[2]}\n`, stderr: '' };
    }
    const url = new URL(argv.at(-1) ?? '');
    const ip = lookup(url.hostname);
    if (ip === undefined) return { code: 6, stdout: '', stderr: `curl: (6) Could not resolve host: ${url.hostname}` };
    let target = all().find((p) => p.ip === ip);
    const svc = [...home.services.values()].find((s) => s.ip === ip);
    if (svc !== undefined) {
      const local = home.backends(svc.name);
      const remote = svc.annotations['service.cilium.io/global'] === 'true' ? clusters.filter((c) => c !== home).flatMap((c) => c.backends(svc.name)) : [];
      const pool = svc.annotations['service.cilium.io/affinity'] === 'local' && local.length > 0 ? local : [...local, ...remote];
      target = pool[turn++ % Math.max(1, pool.length)];
      if (target === undefined) return { code: 7, stdout: '', stderr: 'curl: (7) Connection refused' };
    }
    if (target === undefined) return timeout;
    const policy = await home.kv.get(keys.resource('ciliumnetworkpolicies', from.namespace, POLICY_NAME));
    const sender = home.pods.get(from.name);
    if ((opts.enforcePolicy ?? true) && policy !== undefined && target.name === 'echo-same-node' && sender?.labels['access'] !== 'allowed') return timeout;
    return answer(target);
  };
}

/** Reconcile every cluster every few ms until stop() is called. */
export function reconcileLoop(clusters: readonly FakeCluster[]): { stop: () => void } {
  const timer = setInterval(() => {
    for (const c of clusters) void c.reconcile().catch(() => undefined);
  }, 20);
  return { stop: () => clearInterval(timer) };
}
