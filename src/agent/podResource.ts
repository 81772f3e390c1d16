/**
 * The agent's view of a stored Pod object: only what it needs to run the pod.
 * Values are validated on read; an invalid one is skipped by the watch-store.
 */
import { z } from 'zod';
import { identityLabels } from '../identity/labels.ts';
import type { RuntimePod } from '../runtime/podSpec.ts';

const Port = z.object({ containerPort: z.number().int(), protocol: z.string().optional(), name: z.string().optional() });
const VolumeMount = z.object({ name: z.string(), mountPath: z.string(), subPath: z.string().optional(), readOnly: z.boolean().optional() });
const Container = z.object({
  name: z.string(),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  ports: z.array(Port).optional(),
  env: z.array(z.object({ name: z.string(), value: z.string().optional() })).optional(),
  image: z.string().optional(),
  volumeMounts: z.array(VolumeMount).optional(),
});
const Volume = z.object({
  name: z.string(),
  configMap: z
    .object({
      name: z.string(),
      items: z.array(z.object({ key: z.string(), path: z.string(), mode: z.number().optional() })).optional(),
      defaultMode: z.number().optional(),
      optional: z.boolean().optional(),
    })
    .optional(),
});

export const StoredPod = z.object({
  metadata: z.object({
    name: z.string(),
    namespace: z.string(),
    labels: z.record(z.string(), z.string()).optional(),
  }),
  spec: z.object({
    nodeName: z.string().optional(),
    containers: z.array(Container),
    volumes: z.array(Volume).optional(),
  }),
});
export type StoredPod = z.infer<typeof StoredPod>;

export function parseStoredPod(_key: string, value: string): StoredPod {
  return StoredPod.parse(JSON.parse(value));
}

export function toRuntimePod(pod: StoredPod): RuntimePod {
  return { namespace: pod.metadata.namespace, name: pod.metadata.name, containers: pod.spec.containers, volumes: pod.spec.volumes };
}

/** Named container ports, exported with the endpoint (services' named targetPorts). */
export function namedPorts(pod: StoredPod): { name: string; port: number; protocol: 'TCP' | 'UDP' | 'SCTP' }[] {
  const out: { name: string; port: number; protocol: 'TCP' | 'UDP' | 'SCTP' }[] = [];
  for (const c of pod.spec.containers) {
    for (const p of c.ports ?? []) {
      if (p.name === undefined) continue;
      const protocol = p.protocol === 'UDP' || p.protocol === 'SCTP' ? p.protocol : 'TCP';
      out.push({ name: p.name, port: p.containerPort, protocol });
    }
  }
  return out;
}

/** The labels an endpoint carries: its identity labels (pod labels, namespace, cluster, namespace labels; identity/labels.ts). */
export function endpointLabels(pod: StoredPod, cluster: string, namespaceLabels?: Readonly<Record<string, string>>): Record<string, string> {
  return identityLabels({ cluster, namespace: pod.metadata.namespace, podLabels: pod.metadata.labels, namespaceLabels });
}
