/**
 * What a lab pod runs (pure). Images cannot run on this machine, so each
 * container becomes one process inside the pod's network namespace:
 * - the command (+ args) the manifest gives, or
 * - an image stand-in (imageStandIns.ts): nginx → the built-in static file
 *   server serving what is mounted at /usr/share/nginx/html, on the declared
 *   TCP ports or 80; json-mock → the echo server on the declared ports or 80;
 *   Istio's helloworld → `GET /hello` answered with the version on 5000;
 *   redis → a RESP server answering PING on 6379, or
 * - Weft's built-in echo server on the container's declared ports, or
 * - an idle process that keeps the pod alive.
 * A container with volume mounts gets WEFT_VOLUME_MOUNTS (volumeMounts.ts).
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { PROJECT_ROOT } from '../util/paths.ts';
import type { ImageStandIn } from './imageStandIns.ts';
import { HELLOWORLD_DEFAULT_PORT, imageRepository, imageStandIn, NGINX_HTML_ROOT, REDIS_DEFAULT_PORT, STAND_IN_DEFAULT_PORT } from './imageStandIns.ts';
import { helloworldVersion } from './helloworldServer.ts';
import type { RuntimeVolumeMount } from './volumeMounts.ts';
import { containerMounts, resolveMountedPath, VOLUME_MOUNTS_ENV } from './volumeMounts.ts';

export interface RuntimeContainer {
  readonly name: string;
  readonly image?: string | undefined;
  readonly command?: readonly string[] | undefined;
  readonly args?: readonly string[] | undefined;
  readonly ports?: readonly { readonly containerPort: number; readonly protocol?: string | undefined }[] | undefined;
  readonly env?: readonly { readonly name: string; readonly value?: string | undefined }[] | undefined;
  readonly volumeMounts?: readonly RuntimeVolumeMount[] | undefined;
}

export interface RuntimeConfigMapVolume {
  readonly name: string;
  readonly items?: readonly { readonly key: string; readonly path: string; readonly mode?: number | undefined }[] | undefined;
  readonly defaultMode?: number | undefined;
  readonly optional?: boolean | undefined;
}

/** A pod volume: a configMap, else an emptyDir (a volume without a type is one, as in Kubernetes). */
export interface RuntimeVolume {
  readonly name: string;
  readonly configMap?: RuntimeConfigMapVolume | undefined;
}

export interface RuntimePod {
  readonly namespace: string;
  readonly name: string;
  readonly containers: readonly RuntimeContainer[];
  readonly volumes?: readonly RuntimeVolume[] | undefined;
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
  /** The checkout as the pod's process sees it (default PROJECT_ROOT): where the stand-ins' sources are. */
  readonly projectRoot?: string | undefined;
  /** The pod's volumes folder as its process sees it (one folder per volume); needed when containers mount volumes. */
  readonly volumesDir?: string | undefined;
}

const runtimeMain = (where: PodPlacement, file: string): string => path.join(where.projectRoot ?? PROJECT_ROOT, 'src', 'runtime', file);

function declaredPorts(c: RuntimeContainer): string[] {
  return (c.ports ?? []).map((p) => `${p.containerPort}/${p.protocol === 'UDP' ? 'UDP' : 'TCP'}`);
}

function echoArgv(pod: RuntimePod, where: PodPlacement, ports: readonly string[]): string[] {
  return [where.nodeBin, '--no-warnings=ExperimentalWarning', runtimeMain(where, 'echoMain.ts'), pod.name, pod.namespace, where.node, where.cluster, ...ports];
}

function standInArgv(standIn: ImageStandIn, c: RuntimeContainer, pod: RuntimePod, where: PodPlacement, mounts: Record<string, string>): string[] {
  const declared = declaredPorts(c);
  switch (standIn) {
    case 'nginx': {
      const tcp = (c.ports ?? []).filter((p) => p.protocol !== 'UDP').map((p) => String(p.containerPort));
      const root = resolveMountedPath(mounts, NGINX_HTML_ROOT);
      const ports = tcp.length > 0 ? tcp : [String(STAND_IN_DEFAULT_PORT)];
      return [where.nodeBin, '--no-warnings=ExperimentalWarning', runtimeMain(where, 'staticMain.ts'), ...(root === undefined ? [] : ['--root', root]), ...ports.flatMap((p) => ['--port', p])];
    }
    case 'json-mock':
      return echoArgv(pod, where, declared.length > 0 ? declared : [`${STAND_IN_DEFAULT_PORT}/TCP`]);
    case 'helloworld': {
      const tcp = (c.ports ?? []).filter((p) => p.protocol !== 'UDP').map((p) => String(p.containerPort));
      const version = helloworldVersion(imageRepository(c.image ?? ''), c.env?.find((e) => e.name === 'SERVICE_VERSION')?.value);
      const ports = tcp.length > 0 ? tcp : [String(HELLOWORLD_DEFAULT_PORT)];
      return [where.nodeBin, '--no-warnings=ExperimentalWarning', runtimeMain(where, 'helloworldMain.ts'), '--version', version, '--instance', pod.name, ...ports.flatMap((p) => ['--port', p])];
    }
    case 'redis': {
      const port = (c.ports ?? []).find((p) => p.protocol !== 'UDP')?.containerPort ?? REDIS_DEFAULT_PORT;
      return [where.nodeBin, '--no-warnings=ExperimentalWarning', runtimeMain(where, 'redisMain.ts'), pod.name, '--port', String(port)];
    }
  }
}

export function podProcesses(pod: RuntimePod, where: PodPlacement): ProcessSpec[] {
  return pod.containers.map((c) => {
    const env: Record<string, string> = {
      POD_NAME: pod.name,
      POD_NAMESPACE: pod.namespace,
      NODE_NAME: where.node,
      CLUSTER_NAME: where.cluster,
    };
    const mounts = where.volumesDir === undefined ? {} : containerMounts(c.volumeMounts, where.volumesDir);
    if (Object.keys(mounts).length > 0) env[VOLUME_MOUNTS_ENV] = JSON.stringify(mounts);
    for (const e of c.env ?? []) env[e.name] = e.value ?? '';
    const command = [...(c.command ?? []), ...(c.args ?? [])];
    if ((c.command ?? []).length > 0) return { container: c.name, argv: command, env };
    const standIn = imageStandIn(c.image);
    if (standIn !== undefined) return { container: c.name, argv: standInArgv(standIn, c, pod, where, mounts), env };
    const ports = declaredPorts(c);
    if (ports.length > 0) return { container: c.name, argv: echoArgv(pod, where, ports), env };
    return { container: c.name, argv: ['sleep', 'infinity'], env };
  });
}

/**
 * A stable digest of what the pod runs: a change means the pod must be
 * recreated. Pods without volumes, mounts or image stand-ins hash as they did
 * before those existed, so running pods survive an agent upgrade.
 */
export function podSpecHash(pod: RuntimePod): string {
  const containers = pod.containers.map((c) => ({ name: c.name, command: c.command, args: c.args, ports: c.ports, env: c.env }));
  const extra = {
    volumes: pod.volumes ?? [],
    mounts: pod.containers.map((c) => c.volumeMounts ?? []),
    standIns: pod.containers.map((c) => imageStandIn(c.image) ?? ''),
  };
  const plain = extra.volumes.length === 0 && extra.mounts.every((m) => m.length === 0) && extra.standIns.every((s) => s === '');
  return createHash('sha256').update(JSON.stringify(containers) + (plain ? '' : JSON.stringify(extra))).digest('hex').slice(0, 16);
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
