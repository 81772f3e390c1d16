/**
 * networking.k8s.io/v1 NetworkPolicy — podSelector, policyTypes, ingress
 * from / egress to peers (podSelector and/or namespaceSelector) and ports
 * (number or named port, protocol TCP/UDP/SCTP, default TCP). ipBlock and
 * endPort are rejected naming the field; a port entry without a port (every
 * port of one protocol) is rejected too. The stored object is the validated
 * manifest (status dropped); src/policy/normalize.ts turns it into rules.
 */
import { z } from 'zod';
import { LabelSelectorInput } from '../../policy/selector.ts';
import { namespacedMeta } from '../meta.ts';
import { dns1123Subdomain } from '../names.ts';
import type { KindDef } from '../kindDef.ts';
import { isNamedPort, numericPort, portProblem, unsupported } from './policyFields.ts';

export const NP_PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;

const NpPortInput = z
  .strictObject({
    protocol: z.enum(NP_PROTOCOLS).optional(),
    port: z.union([z.number(), z.string()]).optional(),
    endPort: unsupported('list each port'),
  })
  .superRefine((p, ctx) => {
    if (p.port === undefined || numericPort(p.port) === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['port'],
        input: p.port ?? 'nothing',
        message: `a port entry without a port (all ${p.protocol ?? 'TCP'} ports) is not supported by Weft; give a port, or leave out ports to allow every port`,
      });
      return;
    }
    const problem = portProblem(p.port);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['port'], input: p.port, message: problem });
  });
export type NpPort = z.infer<typeof NpPortInput>;

const NpPeerInput = z
  .strictObject({
    podSelector: LabelSelectorInput.optional(),
    namespaceSelector: LabelSelectorInput.optional(),
    ipBlock: unsupported('select pods with podSelector / namespaceSelector'),
  })
  .superRefine((peer, ctx) => {
    if (peer.podSelector === undefined && peer.namespaceSelector === undefined && peer.ipBlock === undefined) {
      ctx.addIssue({ code: 'custom', path: [], input: peer, message: 'a peer needs podSelector and/or namespaceSelector' });
    }
  });
export type NpPeer = z.infer<typeof NpPeerInput>;

const NpIngressRuleInput = z.strictObject({ from: z.array(NpPeerInput).optional(), ports: z.array(NpPortInput).optional() });
const NpEgressRuleInput = z
  .strictObject({ to: z.array(NpPeerInput).optional(), ports: z.array(NpPortInput).optional() })
  .superRefine((rule, ctx) => {
    (rule.ports ?? []).forEach((p, i) => {
      if (isNamedPort(p.port)) ctx.addIssue({ code: 'custom', path: ['ports', i, 'port'], input: p.port, message: 'named ports are supported in ingress rules only; give the port number' });
    });
  });

export const NpSpecInput = z.strictObject({
  podSelector: LabelSelectorInput,
  policyTypes: z.array(z.enum(['Ingress', 'Egress'])).optional(),
  ingress: z.array(NpIngressRuleInput).optional(),
  egress: z.array(NpEgressRuleInput).optional(),
});
export type NpSpec = z.infer<typeof NpSpecInput>;

export const NetworkPolicySchema = z
  .strictObject({
    apiVersion: z.literal('networking.k8s.io/v1'),
    kind: z.literal('NetworkPolicy'),
    metadata: namespacedMeta(dns1123Subdomain),
    spec: NpSpecInput,
    status: z.unknown().optional(),
  })
  .transform(({ apiVersion, kind, metadata, spec }) => ({ apiVersion, kind, metadata, spec }));
export type NetworkPolicy = z.infer<typeof NetworkPolicySchema>;

/** Kubernetes' defaults: Ingress always, Egress when spec.egress has a rule (unless policyTypes says). */
export function npPolicyTypes(spec: NpSpec): { ingress: boolean; egress: boolean } {
  if (spec.policyTypes !== undefined) return { ingress: spec.policyTypes.includes('Ingress'), egress: spec.policyTypes.includes('Egress') };
  return { ingress: true, egress: (spec.egress ?? []).length > 0 };
}

export const networkPolicyKind: KindDef<NetworkPolicy> = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  group: 'networking.k8s.io',
  plural: 'networkpolicies',
  singular: 'networkpolicy',
  shortNames: ['netpol'],
  namespaced: true,
  schema: NetworkPolicySchema,
};
