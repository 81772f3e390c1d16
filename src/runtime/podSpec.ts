/**
 * What a lab pod runs (pure). Images cannot run on this machine, so each
 * container becomes one process inside the pod's network namespace:
 * - the command (+ args) the manifest gives, or
 * - Weft's built-in echo server on the container's declared ports, or
 * - an idle process that keeps the pod alive.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { PROJECT_ROOT } from '../util/paths.ts';

export interface RuntimeContainer {
  readonly name: string;
  readonly command?: readonly string[] | undefined;
  readonly args?: readonly string[] | undefined;
  readonly ports?: readonly { readonly containerPort: number; readonly protocol?: string | undefined }[] | undefined;
  readonly env?: readonly { readonly name: string; readonly value?: string | undefined }[] | undefined;
}

export interface RuntimePod {
  readonly namespace: string;
  readonly name: string;
  readonly containers: readonly RuntimeContainer[];
}

export interface ProcessSpec {
  readonly container: string;
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

export interface PodPlacement {
  readonly cluster: string;
  readonly node: string;
  readonly nodeBin: string;
}

const ECHO_MAIN = path.join(PROJECT_ROOT, 'src', 'runtime', 'echoMain.ts');

export function podProcesses(pod: RuntimePod, where: PodPlacement): ProcessSpec[] {
  return pod.containers.map((c) => {
    const env: Record<string, string> = {
      POD_NAME: pod.name,
      POD_NAMESPACE: pod.namespace,
      NODE_NAME: where.node,
      CLUSTER_NAME: where.cluster,
    };
    for (const e of c.env ?? []) env[e.name] = e.value ?? '';
    const command = [...(c.command ?? []), ...(c.args ?? [])];
    if ((c.command ?? []).length > 0) return { container: c.name, argv: command, env };
    const ports = (c.ports ?? []).map((p) => `${p.containerPort}/${p.protocol === 'UDP' ? 'UDP' : 'TCP'}`);
    if (ports.length > 0) {
      return {
        container: c.name,
        argv: [where.nodeBin, '--no-warnings=ExperimentalWarning', ECHO_MAIN, pod.name, pod.namespace, where.node, where.cluster, ...ports],
        env,
      };
    }
    return { container: c.name, argv: ['sleep', 'infinity'], env };
  });
}

/** A stable digest of what the pod runs: a change means the pod must be recreated. */
export function podSpecHash(pod: RuntimePod): string {
  return createHash('sha256').update(JSON.stringify(pod.containers)).digest('hex').slice(0, 16);
}

/** The pod's network namespace name; `wf-<cluster>_` is the cluster's netns prefix. */
export function podNetnsName(cluster: string, node: string, namespace: string, pod: string): string {
  const h = createHash('sha256').update(`${namespace}/${pod}`).digest('hex').slice(0, 10);
  return `wf-${cluster}_${node}_p${h}`;
}

/** The CNI container id of a pod sandbox. */
export function podContainerId(cluster: string, namespace: string, pod: string): string {
  return createHash('sha256').update(`${cluster}/${namespace}/${pod}`).digest('hex');
}
