/**
 * How the demo talks to a cluster's workloads: through `weft` (standalone
 * mode: weft apply / get / delete) or through `kubectl` (Kubernetes mode:
 * the lab's API server owns pods, services and policies, and the operator
 * mirrors them into Weft). The datapath commands (exec, service list,
 * monitor, …) are `weft` in both modes.
 */
import type { Runbook } from './runbook.ts';
import type { PodView } from './demoPods.ts';

export interface DemoClient {
  /** Shown in headings: `weft` or `kubectl`. */
  readonly tool: 'weft' | 'kubectl';
  /**
   * `lenient`: a manifest as the seed wrote it, with a field the schema does
   * not know (seed 003's `metadata.description`): kubectl's client-side
   * validation refuses it, so it is applied with `--validate=false`, as
   * kubectl's own message suggests (the API server drops the field).
   */
  apply(context: string, file: string, opts?: { lenient?: boolean }): Promise<void>;
  /** Running pods matching the label selector. */
  runningPods(context: string, selector: string, namespace?: string): Promise<PodView[]>;
  /** The Service's ClusterIP, or undefined when it has none (yet). */
  clusterIp(context: string, service: string): Promise<string | undefined>;
  /** Deletes a CiliumNetworkPolicy; no error when it is not there. */
  deletePolicy(context: string, name: string): Promise<void>;
  /** Shows the pods (wide) and the CiliumNetworkPolicies. */
  showPods(context: string): Promise<void>;
  showPolicies(context: string): Promise<void>;
}

/** `kubectl get … -o json` list → items; `weft get … -o json` → the array itself. */
export function itemsOf<T>(json: string): T[] {
  const v = JSON.parse(json) as T[] | { items?: T[] };
  return Array.isArray(v) ? v : (v.items ?? []);
}

/** The ClusterIP of a Service object as `weft get svc -o json` (status.clusterIP) or kubectl (spec.clusterIP) prints it. */
export function clusterIpOf(svc: { spec?: { clusterIP?: string } | null; status?: { clusterIP?: string } | null } | undefined): string | undefined {
  const ip = [svc?.spec?.clusterIP, svc?.status?.clusterIP].find((v) => v !== undefined && v !== '' && v !== 'None');
  return ip;
}

const running = (pods: PodView[]): PodView[] => pods.filter((p) => p.status?.phase === 'Running' && (p.status.podIP ?? '') !== '');

export function weftClient(book: Runbook): DemoClient {
  return {
    tool: 'weft',
    apply: async (ctx, file) => void (await book.weft(['--context', ctx, 'apply', '-f', file])),
    runningPods: async (ctx, selector, ns = 'default') =>
      running(itemsOf<PodView>((await book.weft(['--context', ctx, 'get', 'pods', '-n', ns, '-l', selector, '-o', 'json'], { quiet: true })).stdout)),
    clusterIp: async (ctx, svc) => {
      const res = await book.weft(['--context', ctx, 'get', 'svc', svc, '-o', 'json'], { quiet: true, allowFail: true });
      return res.code === 0 ? clusterIpOf(itemsOf<Parameters<typeof clusterIpOf>[0]>(res.stdout)[0]) : undefined;
    },
    deletePolicy: async (ctx, name) => void (await book.weft(['--context', ctx, 'delete', 'ciliumnetworkpolicy', name], { quiet: true, allowFail: true })),
    showPods: async (ctx) => void (await book.weft(['--context', ctx, 'get', 'pods', '-o', 'wide'])),
    showPolicies: async (ctx) => void (await book.weft(['--context', ctx, 'policy', 'get'])),
  };
}

export function kubectlClient(book: Runbook): DemoClient {
  return {
    tool: 'kubectl',
    apply: async (ctx, file, opts = {}) => {
      if (opts.lenient === true) book.say("(kubectl's schema check refuses the seed's metadata.description, not a field of ObjectMeta: --validate=false, as kubectl suggests; the API server drops the field)");
      await book.kubectl(['--context', ctx, 'apply', ...(opts.lenient === true ? ['--validate=false'] : []), '-f', file]);
    },
    runningPods: async (ctx, selector, ns = 'default') =>
      running(itemsOf<PodView>((await book.kubectl(['--context', ctx, 'get', 'pods', '-n', ns, '-l', selector, '-o', 'json'], { quiet: true })).stdout)),
    clusterIp: async (ctx, svc) => {
      const res = await book.kubectl(['--context', ctx, 'get', 'service', svc, '-o', 'json'], { quiet: true, allowFail: true });
      return res.code === 0 ? clusterIpOf(JSON.parse(res.stdout) as Parameters<typeof clusterIpOf>[0]) : undefined;
    },
    deletePolicy: async (ctx, name) => void (await book.kubectl(['--context', ctx, 'delete', 'ciliumnetworkpolicy', name, '--ignore-not-found'], { quiet: true, allowFail: true })),
    showPods: async (ctx) => void (await book.kubectl(['--context', ctx, 'get', 'pods', '-o', 'wide'])),
    showPolicies: async (ctx) => void (await book.kubectl(['--context', ctx, 'get', 'ciliumnetworkpolicies'])),
  };
}
