/**
 * A Kubernetes Pod (from the API) as the agent's runtime runs it: the same
 * StoredPod shape the standalone source reads from weft/resources/pods, so a
 * Kubernetes pod goes through exactly the same runtime path. Only spec fields
 * feed the runtime (a status or label change never restarts a pod).
 * Volumes: configMap as is, every other type (emptyDir, the service account
 * token's secret, …) an empty folder; env values from valueFrom are dropped.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { WeftError, ErrorCode } from '../errors.ts';
import { StoredPod } from '../agent/podResource.ts';

export interface KubePodMeta {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  /** Set once the pod is being deleted (graceful deletion): the agent stops it, then deletes it. */
  readonly deleting: boolean;
}

export function podKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export function kubePodMeta(pod: V1Pod): KubePodMeta {
  const m = pod.metadata;
  if (m?.name === undefined || m.namespace === undefined) throw new WeftError(ErrorCode.InvalidInput, `a Pod from the API has no name or namespace: ${JSON.stringify(m ?? {})}`);
  return { namespace: m.namespace, name: m.name, uid: m.uid ?? '', deleting: m.deletionTimestamp !== undefined && m.deletionTimestamp !== null };
}

/** Finished pods (restartPolicy Never/OnFailure that ran to the end) are not run again. */
export function isTerminal(pod: V1Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

export function toStoredPod(pod: V1Pod): StoredPod {
  const meta = kubePodMeta(pod);
  const spec = pod.spec;
  if (spec === undefined) throw new WeftError(ErrorCode.InvalidInput, `pod ${podKey(meta.namespace, meta.name)} has no spec`);
  const volumes = (spec.volumes ?? []).map((v) => (v.configMap === undefined ? { name: v.name } : { name: v.name, configMap: { ...v.configMap, name: v.configMap.name ?? '' } }));
  const candidate = {
    metadata: { name: meta.name, namespace: meta.namespace, ...(pod.metadata?.labels === undefined ? {} : { labels: pod.metadata.labels }) },
    spec: {
      ...(spec.nodeName === undefined ? {} : { nodeName: spec.nodeName }),
      containers: spec.containers.map((c) => ({
        name: c.name,
        ...(c.command === undefined ? {} : { command: c.command }),
        ...(c.args === undefined ? {} : { args: c.args }),
        ...(c.ports === undefined ? {} : { ports: c.ports.map((p) => ({ containerPort: p.containerPort, ...(p.protocol === undefined ? {} : { protocol: p.protocol }), ...(p.name === undefined ? {} : { name: p.name }) })) }),
        ...(c.env === undefined ? {} : { env: c.env.filter((e) => e.value !== undefined).map((e) => ({ name: e.name, value: e.value })) }),
        ...(c.image === undefined ? {} : { image: c.image }),
        ...(c.volumeMounts === undefined ? {} : { volumeMounts: c.volumeMounts.map((m) => ({ name: m.name, mountPath: m.mountPath, ...(m.subPath === undefined ? {} : { subPath: m.subPath }), ...(m.readOnly === undefined ? {} : { readOnly: m.readOnly }) })) }),
      })),
      ...(volumes.length === 0 ? {} : { volumes }),
    },
  };
  const parsed = StoredPod.safeParse(candidate);
  if (!parsed.success) throw new WeftError(ErrorCode.InvalidInput, `pod ${podKey(meta.namespace, meta.name)} cannot run here: ${parsed.error.message}`);
  return parsed.data;
}
