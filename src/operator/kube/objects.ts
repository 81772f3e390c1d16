/**
 * The fields of Kubernetes API objects the operator reads, validated
 * leniently (unknown fields dropped; JSON null read as absent, as the API
 * server writes empty lists of some kinds as null).
 */
import { z } from 'zod';

const nullish = <T extends z.ZodType>(t: T) => t.nullish().transform((v) => v ?? undefined);

export const KubeMeta = z.object({
  name: z.string().min(1),
  namespace: nullish(z.string()),
  labels: nullish(z.record(z.string(), z.string())),
  annotations: nullish(z.record(z.string(), z.string())),
  creationTimestamp: nullish(z.string()),
});
export type KubeMeta = z.infer<typeof KubeMeta>;

export const KubeServicePort = z.object({
  name: nullish(z.string()),
  port: z.number().int(),
  protocol: nullish(z.string()),
});

export const KubeService = z.object({
  metadata: KubeMeta,
  spec: z.object({
    type: nullish(z.string()),
    clusterIP: nullish(z.string()),
    ports: nullish(z.array(KubeServicePort)),
  }),
});
export type KubeService = z.infer<typeof KubeService>;

const KubePort = z.object({ name: nullish(z.string()), port: nullish(z.number().int()), protocol: nullish(z.string()) });
export type KubePort = z.infer<typeof KubePort>;

/** discovery.k8s.io/v1 and v1beta1 (v1beta1 names the node in topology["kubernetes.io/hostname"]). */
export const KubeEndpointSlice = z.object({
  metadata: KubeMeta,
  addressType: z.string(),
  ports: nullish(z.array(KubePort)),
  endpoints: nullish(
    z.array(
      z.object({
        addresses: z.array(z.string()),
        conditions: nullish(z.object({ ready: nullish(z.boolean()) })),
        nodeName: nullish(z.string()),
        topology: nullish(z.record(z.string(), z.string())),
      }),
    ),
  ),
});
export type KubeEndpointSlice = z.infer<typeof KubeEndpointSlice>;

const KubeEndpointAddress = z.object({ ip: z.string(), nodeName: nullish(z.string()) });

/** v1 Endpoints: the fallback when the API server serves no EndpointSlices. */
export const KubeEndpoints = z.object({
  metadata: KubeMeta,
  subsets: nullish(
    z.array(
      z.object({
        addresses: nullish(z.array(KubeEndpointAddress)),
        notReadyAddresses: nullish(z.array(KubeEndpointAddress)),
        ports: nullish(z.array(KubePort)),
      }),
    ),
  ),
});
export type KubeEndpoints = z.infer<typeof KubeEndpoints>;

/** The label an EndpointSlice names its Service with. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/** v1beta1 EndpointSlices name the endpoint's node in this topology key. */
export const HOSTNAME_TOPOLOGY = 'kubernetes.io/hostname';
