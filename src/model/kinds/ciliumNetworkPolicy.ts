/**
 * cilium.io/v2 CiliumNetworkPolicy — the subset Weft enforces: endpointSelector;
 * ingress fromEndpoints / fromEntities, egress toEndpoints / toEntities;
 * toPorts with port (number, numeric string or named port) and protocol.
 * `spec` and `specs` (a list of rules) are both accepted; their rules add up.
 * Every Cilium field Weft does not implement (CIDR, FQDN, L7, deny rules,
 * ICMP, …) is rejected naming its path. The stored object is the validated
 * manifest (status dropped); src/policy/normalize.ts turns it into rules.
 */
import { z } from 'zod';
import { LabelSelectorInput } from '../../policy/selector.ts';
import { namespacedMeta } from '../meta.ts';
import { dns1123Subdomain } from '../names.ts';
import type { KindDef } from '../kindDef.ts';
import { isNamedPort, numericPort, portProblem, unsupported } from './policyFields.ts';

export const CNP_ENTITIES = ['world', 'host', 'remote-node', 'cluster', 'all'] as const;
export type CnpEntity = (typeof CNP_ENTITIES)[number];

const entity = z.enum(CNP_ENTITIES);

export const CNP_PROTOCOLS = ['TCP', 'UDP', 'SCTP', 'ANY'] as const;

const PortProtocolInput = z
  .strictObject({
    port: z.union([z.string(), z.number()]).optional(),
    protocol: z.enum(CNP_PROTOCOLS).optional(),
    endPort: unsupported('list each port'),
  })
  .superRefine((p, ctx) => {
    if (p.port !== undefined) {
      const problem = portProblem(p.port);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['port'], input: p.port, message: problem });
    }
    const all = p.port === undefined || numericPort(p.port) === 0;
    const proto = p.protocol ?? 'ANY';
    if (all && proto !== 'ANY') {
      ctx.addIssue({
        code: 'custom',
        path: ['port'],
        input: p.port ?? 'nothing',
        message: `toPorts port ${p.port ?? '(none)'} with protocol ${proto} (all ${proto} ports) is not supported; give a port or use protocol ANY`,
      });
    }
  });

const PortRuleInput = z.strictObject({
  ports: z.array(PortProtocolInput).min(1),
  rules: unsupported('L7 rules'),
  originatingTLS: unsupported(),
  terminatingTLS: unsupported(),
  serverNames: unsupported(),
  listener: unsupported(),
});
export type CnpPortRule = z.infer<typeof PortRuleInput>;

const IngressRuleInput = z.strictObject({
  fromEndpoints: z.array(LabelSelectorInput).optional(),
  fromEntities: z.array(entity).optional(),
  toPorts: z.array(PortRuleInput).optional(),
  fromCIDR: unsupported(),
  fromCIDRSet: unsupported(),
  fromRequires: unsupported(),
  fromGroups: unsupported(),
  fromNodes: unsupported(),
  icmps: unsupported(),
  authentication: unsupported(),
});
export type CnpIngressRule = z.infer<typeof IngressRuleInput>;

const EgressRuleInput = z
  .strictObject({
    toEndpoints: z.array(LabelSelectorInput).optional(),
    toEntities: z.array(entity).optional(),
    toPorts: z.array(PortRuleInput).optional(),
    toCIDR: unsupported(),
    toCIDRSet: unsupported(),
    toFQDNs: unsupported(),
    toServices: unsupported(),
    toGroups: unsupported(),
    toRequires: unsupported(),
    toNodes: unsupported(),
    icmps: unsupported(),
    authentication: unsupported(),
  })
  .superRefine((rule, ctx) => {
    (rule.toPorts ?? []).forEach((pr, i) =>
      pr.ports.forEach((p, j) => {
        if (isNamedPort(p.port)) {
          ctx.addIssue({ code: 'custom', path: ['toPorts', i, 'ports', j, 'port'], input: p.port, message: 'named ports are supported in ingress rules only; give the port number' });
        }
      }),
    );
  });
export type CnpEgressRule = z.infer<typeof EgressRuleInput>;

export const CnpRuleInput = z.strictObject({
  endpointSelector: LabelSelectorInput,
  description: z.string().optional(),
  ingress: z.array(IngressRuleInput).optional(),
  egress: z.array(EgressRuleInput).optional(),
  ingressDeny: unsupported(),
  egressDeny: unsupported(),
  nodeSelector: unsupported('select endpoints with endpointSelector'),
  labels: unsupported(),
  enableDefaultDeny: unsupported(),
  log: unsupported(),
});
export type CnpRule = z.infer<typeof CnpRuleInput>;

const cnpMeta = namespacedMeta(dns1123Subdomain).extend({ description: z.string().optional() });

export const CiliumNetworkPolicySchema = z
  .strictObject({
    apiVersion: z.literal('cilium.io/v2'),
    kind: z.literal('CiliumNetworkPolicy'),
    metadata: cnpMeta,
    spec: CnpRuleInput.optional(),
    specs: z.array(CnpRuleInput).optional(),
    status: z.unknown().optional(),
  })
  .superRefine((p, ctx) => {
    if (p.spec === undefined && (p.specs === undefined || p.specs.length === 0)) {
      ctx.addIssue({ code: 'custom', path: ['spec'], input: undefined, message: 'a CiliumNetworkPolicy needs spec (one rule) or specs (a list of rules)' });
    }
  })
  .transform(({ apiVersion, kind, metadata, spec, specs }) => ({
    apiVersion,
    kind,
    metadata,
    ...(spec === undefined ? {} : { spec }),
    ...(specs === undefined ? {} : { specs }),
  }));
export type CiliumNetworkPolicy = z.infer<typeof CiliumNetworkPolicySchema>;

/** The rules of a policy: spec then specs, each with its field path for messages. */
export function cnpRules(p: CiliumNetworkPolicy): { rule: CnpRule; path: string }[] {
  return [...(p.spec === undefined ? [] : [{ rule: p.spec, path: 'spec' }]), ...(p.specs ?? []).map((rule, i) => ({ rule, path: `specs[${i}]` }))];
}

export const ciliumNetworkPolicyKind: KindDef<CiliumNetworkPolicy> = {
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumNetworkPolicy',
  group: 'cilium.io',
  plural: 'ciliumnetworkpolicies',
  singular: 'ciliumnetworkpolicy',
  shortNames: ['cnp', 'ciliumnp'],
  namespaced: true,
  schema: CiliumNetworkPolicySchema,
};
