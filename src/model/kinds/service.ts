/**
 * v1 Service (type ClusterIP only). Ports are normalized: name '' when the
 * single port is unnamed, targetPort defaults to port, protocol to TCP. The
 * ClusterMesh annotations (service.cilium.io/global, shared, affinity and
 * the legacy io.cilium/ ones) are checked here. At apply time a requested
 * spec.clusterIP must lie in the cluster's service CIDR and be free.
 */
import { z } from 'zod';
import { WeftError, ErrorCode } from '../../errors.ts';
import { keys } from '../../kvstore/keys.ts';
import { checkClusterIp } from '../../services/clusterIpRange.ts';
import { readMeshAnnotations } from '../../services/annotations.ts';
import { isIp } from '../../util/cidr.ts';
import { ClusterConfig, ClusterIpAllocation } from '../state.ts';
import { namespacedMeta } from '../meta.ts';
import { dns1123Label, labelMap, portName } from '../names.ts';
import type { ApplyCheckContext, KindDef } from '../kindDef.ts';

const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const serviceName = z.string().refine((s) => s.length <= 63 && DNS1035_LABEL.test(s), {
  message: "must be a lowercase RFC 1035 label: at most 63 characters of a-z, 0-9 and '-', starting with a letter and ending with a letter or digit",
});

const portNumber = z.number().int().min(1).max(65535);

export const ServicePortInput = z.strictObject({
  /** '' = unnamed (allowed only for a single port). */
  name: z.union([z.literal(''), dns1123Label]).optional(),
  port: portNumber,
  /** A number, or the name of a container port of the selected pods. */
  targetPort: z.union([z.number(), z.string()]).optional(),
  protocol: z.enum(['TCP', 'UDP']).default('TCP'),
  appProtocol: z.string().optional(),
});

function checkTargetPort(t: number | string | undefined, ctx: z.RefinementCtx, path: PropertyKey[]): void {
  if (t === undefined) return;
  if (typeof t === 'number' ? portNumber.safeParse(t).success : portName.safeParse(t).success) return;
  ctx.addIssue({ code: 'custom', path, input: t, message: 'must be a port number 1-65535 or a container port name (at most 15 characters of a-z, 0-9 and -, with a letter)' });
}

const TYPE_RULE = 'Weft supports only type ClusterIP (not NodePort, LoadBalancer or ExternalName)';

export const ServiceSpecInput = z
  .strictObject({
    type: z.string().refine((t) => t === 'ClusterIP', { message: TYPE_RULE }).default('ClusterIP'),
    clusterIP: z
      .string()
      .refine((ip) => ip !== 'None', { message: 'headless services (clusterIP: None) are not supported by Weft' })
      .refine((ip) => ip === '' || ip === 'None' || isIp(ip), { message: 'must be an IPv4 address' })
      .optional(),
    clusterIPs: z.array(z.string()).max(1).optional(),
    ports: z.array(ServicePortInput).min(1),
    selector: labelMap.default({}),
    sessionAffinity: z.literal('None').optional(),
    internalTrafficPolicy: z.literal('Cluster').optional(),
    ipFamilies: z.array(z.literal('IPv4')).max(1).optional(),
    ipFamilyPolicy: z.literal('SingleStack').optional(),
  })
  .superRefine((spec, ctx) => {
    const named = new Map<string, number>();
    const numbers = new Map<string, number>();
    spec.ports.forEach((p, i) => {
      checkTargetPort(p.targetPort, ctx, ['ports', i, 'targetPort']);
      const name = p.name ?? '';
      if (name === '' && spec.ports.length > 1) {
        ctx.addIssue({ code: 'custom', path: ['ports', i, 'name'], input: p.name, message: 'is required when the service has more than one port' });
      }
      const earlier = named.get(name);
      if (name !== '' && earlier !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['ports', i, 'name'], input: name, message: `duplicates ports[${earlier}].name` });
      }
      named.set(name, i);
      const id = `${p.port}/${p.protocol}`;
      const sameNumber = numbers.get(id);
      if (sameNumber !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['ports', i, 'port'], input: id, message: `duplicates ports[${sameNumber}] (same port and protocol)` });
      }
      numbers.set(id, i);
    });
    const ip = spec.clusterIP ?? '';
    const ips = spec.clusterIPs ?? [];
    if (ips.length > 0 && ips[0] !== ip) {
      ctx.addIssue({ code: 'custom', path: ['clusterIPs'], input: ips, message: `must equal [clusterIP] ("${ip}")` });
    }
  });

export const ServiceSchema = z
  .strictObject({
    apiVersion: z.literal('v1'),
    kind: z.literal('Service'),
    metadata: namespacedMeta(serviceName),
    spec: ServiceSpecInput,
    status: z.unknown().optional(),
  })
  .superRefine((svc, ctx) => {
    for (const p of readMeshAnnotations(svc.metadata.annotations).problems) {
      ctx.addIssue({ code: 'custom', path: ['metadata', 'annotations', p.key], input: svc.metadata.annotations[p.key], message: p.message });
    }
  })
  .transform(({ apiVersion, kind, metadata, spec }) => {
    const ip = spec.clusterIP ?? '';
    return {
      apiVersion,
      kind,
      metadata,
      spec: {
        type: 'ClusterIP' as const,
        ...(ip === '' ? {} : { clusterIP: ip }),
        ports: spec.ports.map((p) => ({ name: p.name ?? '', port: p.port, targetPort: p.targetPort ?? p.port, protocol: p.protocol })),
        selector: spec.selector,
      },
    };
  });
export type Service = z.infer<typeof ServiceSchema>;
export type ServicePort = Service['spec']['ports'][number];

function jsonOrUndefined(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function svcId(s: Service): string {
  return `${s.metadata.namespace}/${s.metadata.name}`;
}

/**
 * A requested spec.clusterIP must be inside the cluster's service CIDR (when
 * the cluster config is known), not requested by another Service of the same
 * apply, and not allocated to another Service.
 */
export async function checkServiceApply(svc: Service, ctx: ApplyCheckContext): Promise<void> {
  const ip = svc.spec.clusterIP;
  if (ip === undefined) return;
  const where = `service ${svcId(svc)}: spec.clusterIP`;
  const twin = ctx.docs.find((d): d is Service => d !== svc && d.kind === 'Service' && (d as Service).spec.clusterIP === ip);
  if (twin !== undefined) throw new WeftError(ErrorCode.InvalidInput, `${where} ${ip} is also requested by service ${svcId(twin)} in the same apply`);
  if (ctx.cluster !== undefined) {
    const cfg = ClusterConfig.safeParse(jsonOrUndefined(await ctx.get(keys.clusterConfig(ctx.cluster))));
    if (cfg.success) {
      try {
        checkClusterIp(cfg.data.serviceCIDR, ip);
      } catch (err) {
        throw new WeftError(ErrorCode.InvalidInput, `${where}: ${(err as Error).message}`);
      }
    }
  }
  const alloc = ClusterIpAllocation.safeParse(jsonOrUndefined(await ctx.get(keys.clusterIpAllocation(ip))));
  if (alloc.success && (alloc.data.namespace !== svc.metadata.namespace || alloc.data.name !== svc.metadata.name)) {
    throw new WeftError(ErrorCode.AlreadyExists, `${where} ${ip} is already allocated to service ${alloc.data.namespace}/${alloc.data.name}`);
  }
}

export const serviceKind: KindDef<Service> = {
  apiVersion: 'v1',
  kind: 'Service',
  group: '',
  plural: 'services',
  singular: 'service',
  shortNames: ['svc'],
  namespaced: true,
  schema: ServiceSchema,
  checkApply: checkServiceApply,
};
