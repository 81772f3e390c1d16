/**
 * The pod spec Weft runs: containers (image: not run, but a few well-known
 * images get a built-in stand-in; command, args, ports, env, volumeMounts),
 * volumes (configMap, emptyDir), nodeName, restartPolicy. Common Kubernetes
 * fields Weft does not act on (probes, resources, …) are accepted and kept;
 * any other field is rejected so typos surface.
 */
import { z } from 'zod';
import { dns1123Label, dns1123Subdomain, portName } from './names.ts';
import { checkPodVolumes, Volume, VolumeMount } from './volumes.ts';

/** Accepted, kept, not acted on. */
const ignored = z.unknown().optional();

export const ContainerPort = z.strictObject({
  containerPort: z.number().int().min(1).max(65535),
  name: portName.optional(),
  protocol: z.enum(['TCP', 'UDP']).default('TCP'),
  hostPort: ignored,
  hostIP: ignored,
});
export type ContainerPort = z.infer<typeof ContainerPort>;

export const EnvVar = z.strictObject({
  name: z.string().min(1),
  value: z.string().optional(),
  valueFrom: ignored,
});
export type EnvVar = z.infer<typeof EnvVar>;

export const Container = z.strictObject({
  name: dns1123Label,
  image: z.string().min(1),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  ports: z.array(ContainerPort).optional(),
  env: z.array(EnvVar).optional(),
  imagePullPolicy: ignored,
  resources: ignored,
  livenessProbe: ignored,
  readinessProbe: ignored,
  startupProbe: ignored,
  volumeMounts: z.array(VolumeMount).optional(),
  workingDir: ignored,
  securityContext: ignored,
  lifecycle: ignored,
  stdin: ignored,
  tty: ignored,
  terminationMessagePath: ignored,
  terminationMessagePolicy: ignored,
});
export type Container = z.infer<typeof Container>;

export const PodSpec = z
  .strictObject({
    containers: z.array(Container).min(1),
    nodeName: dns1123Subdomain.optional(),
    restartPolicy: z.enum(['Always', 'OnFailure', 'Never']).optional(),
    tolerations: z.array(z.unknown()).optional(),
    affinity: ignored,
    nodeSelector: ignored,
    serviceAccountName: ignored,
    serviceAccount: ignored,
    automountServiceAccountToken: ignored,
    terminationGracePeriodSeconds: ignored,
    dnsPolicy: ignored,
    hostname: ignored,
    subdomain: ignored,
    securityContext: ignored,
    volumes: z.array(Volume).optional(),
    imagePullSecrets: ignored,
    priorityClassName: ignored,
    schedulerName: ignored,
    enableServiceLinks: ignored,
  })
  .superRefine((spec, ctx) => {
    const seen = new Map<string, number>();
    spec.containers.forEach((c, i) => {
      const first = seen.get(c.name);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['containers', i, 'name'], message: `duplicate container name (also containers[${first}])`, input: c.name });
      }
      seen.set(c.name, i);
    });
    const portNames = new Set<string>();
    spec.containers.forEach((c, i) =>
      c.ports?.forEach((p, j) => {
        if (p.name === undefined) return;
        if (portNames.has(p.name)) {
          ctx.addIssue({ code: 'custom', path: ['containers', i, 'ports', j, 'name'], message: 'duplicate port name in the pod', input: p.name });
        }
        portNames.add(p.name);
      }),
    );
    checkPodVolumes(spec, ctx);
  });
export type PodSpec = z.infer<typeof PodSpec>;
