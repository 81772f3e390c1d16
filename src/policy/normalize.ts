/**
 * Stored CiliumNetworkPolicy / NetworkPolicy → one normalized form the
 * compiler consumes. Everything that does not depend on the cluster's
 * identities is decided here: which directions a policy enforces, each
 * rule's peers (selectors with the policy namespace already added when they
 * name none, entities, or "any peer") and ports.
 *
 * Cluster scoping is left to the compiler (it depends on the local cluster
 * and the policyDefaultLocalCluster option): a peer selector records whether
 * it names `io.cilium.k8s.policy.cluster`.
 */
import { WeftError, ErrorCode } from '../errors.ts';
import { jsonParser } from '../kvstore/json.ts';
import { CiliumNetworkPolicySchema, cnpRules } from '../model/kinds/ciliumNetworkPolicy.ts';
import type { CiliumNetworkPolicy, CnpEgressRule, CnpEntity, CnpIngressRule, CnpPortRule, CnpRule } from '../model/kinds/ciliumNetworkPolicy.ts';
import { NetworkPolicySchema, npPolicyTypes } from '../model/kinds/networkPolicy.ts';
import type { NetworkPolicy, NpPeer, NpPort } from '../model/kinds/networkPolicy.ts';
import { numericPort } from '../model/kinds/policyFields.ts';
import { compileSelector, selectorHasKey, selectorOf, withRequirement } from './selector.ts';
import type { LabelSelectorInput, Requirement, Selector } from './selector.ts';
import { LABEL } from './types.ts';
import type { L4Proto } from './types.ts';

export type PolicyKind = 'CiliumNetworkPolicy' | 'NetworkPolicy';

/** A peer given by labels. */
export interface PeerSelector {
  /** The selector, namespace requirement included when the manifest named none. */
  readonly selector: Selector;
  /** False when the selector names io.cilium.k8s.policy.cluster: the compiler may restrict it to the local cluster. */
  readonly namesCluster: boolean;
}

/** Entities other than `all` (which is `anyPeer`). */
export type PeerEntity = Exclude<CnpEntity, 'all'>;

/** A port: a number, or a named port of the selected endpoint (ingress only). */
export type PortSpec =
  | { readonly kind: 'number'; readonly proto: L4Proto; readonly port: number }
  /** proto undefined = the named port's own protocol. */
  | { readonly kind: 'named'; readonly name: string; readonly proto: L4Proto | undefined };

/** One rule: peers × ports. */
export interface PeerRule {
  /** Every peer (world included): `fromEntities: all`, a CNP rule with ports only, an NP rule without from/to. */
  readonly anyPeer: boolean;
  readonly selectors: readonly PeerSelector[];
  readonly entities: readonly PeerEntity[];
  /** 'all' = every protocol and port (l3). */
  readonly ports: readonly PortSpec[] | 'all';
}

/** A direction of a policy; undefined in NormalizedPolicy when the policy does not enforce it. */
export interface DirectionRules {
  readonly rules: readonly PeerRule[];
}

export interface NormalizedPolicy {
  readonly kind: PolicyKind;
  /** The etcd key it was read from (unique: the compiler's cache key). */
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  /** Selects local endpoints of `namespace` (the namespace is checked by the compiler, not in this selector). */
  readonly subject: Selector;
  readonly ingress: DirectionRules | undefined;
  readonly egress: DirectionRules | undefined;
}

const ALL_PROTOS: readonly L4Proto[] = ['tcp', 'udp', 'sctp'];

function protosOf(protocol: string | undefined): readonly L4Proto[] {
  switch (protocol) {
    case undefined:
    case 'ANY':
      return ALL_PROTOS;
    case 'TCP':
      return ['tcp'];
    case 'UDP':
      return ['udp'];
    case 'SCTP':
      return ['sctp'];
    default:
      throw new WeftError(ErrorCode.InvalidManifest, `protocol "${protocol}" is not supported (TCP, UDP, SCTP or ANY)`);
  }
}

const nsRequirement = (ns: string): Requirement => ({ key: LABEL.namespace, operator: 'In', values: [ns] });

function peerSelector(input: LabelSelectorInput, namespace: string, where: string): PeerSelector {
  const sel = compileSelector(input, where);
  return {
    selector: selectorHasKey(sel, LABEL.namespace) ? sel : withRequirement(sel, nsRequirement(namespace)),
    namesCluster: selectorHasKey(sel, LABEL.cluster),
  };
}

function cnpPorts(toPorts: readonly CnpPortRule[] | undefined): readonly PortSpec[] | 'all' {
  if (toPorts === undefined || toPorts.length === 0) return 'all';
  const out: PortSpec[] = [];
  for (const pr of toPorts) {
    for (const p of pr.ports) {
      const n = p.port === undefined ? 0 : numericPort(p.port);
      if (n === 0) return 'all';
      if (n === undefined) {
        out.push({ kind: 'named', name: String(p.port), proto: p.protocol === undefined || p.protocol === 'ANY' ? undefined : protosOf(p.protocol)[0] });
      } else {
        for (const proto of protosOf(p.protocol)) out.push({ kind: 'number', proto, port: n });
      }
    }
  }
  return out;
}

function cnpRule(
  peers: readonly LabelSelectorInput[] | undefined,
  entities: readonly CnpEntity[] | undefined,
  toPorts: readonly CnpPortRule[] | undefined,
  namespace: string,
  where: string,
): PeerRule {
  const selectors = (peers ?? []).map((s, i) => peerSelector(s, namespace, `${where}[${i}]`));
  const ents = entities ?? [];
  const hasPorts = toPorts !== undefined && toPorts.length > 0;
  const noPeer = selectors.length === 0 && ents.length === 0;
  return {
    // a rule with ports but no peer allows those ports from anyone; `{}` allows nothing (default deny only)
    anyPeer: ents.includes('all') || (noPeer && hasPorts),
    selectors,
    entities: [...new Set(ents.filter((e): e is PeerEntity => e !== 'all'))],
    ports: cnpPorts(toPorts),
  };
}

/** One rule of a CiliumNetworkPolicy (`path`: spec or specs[i]) as a normalized policy. */
export function normalizeCnpRule(p: CiliumNetworkPolicy, rule: CnpRule, path: string, key: string): NormalizedPolicy {
  const namespace = p.metadata.namespace ?? 'default';
  const ingress = (rule.ingress ?? []).map((r: CnpIngressRule, i) => cnpRule(r.fromEndpoints, r.fromEntities, r.toPorts, namespace, `${path}.ingress[${i}].fromEndpoints`));
  const egress = (rule.egress ?? []).map((r: CnpEgressRule, i) => cnpRule(r.toEndpoints, r.toEntities, r.toPorts, namespace, `${path}.egress[${i}].toEndpoints`));
  return {
    kind: 'CiliumNetworkPolicy',
    key,
    namespace,
    name: p.metadata.name,
    subject: compileSelector(rule.endpointSelector, `${path}.endpointSelector`),
    // `ingress: []` (or none) does not enforce the direction; `ingress: [{}]` does and allows nothing
    ingress: ingress.length > 0 ? { rules: ingress } : undefined,
    egress: egress.length > 0 ? { rules: egress } : undefined,
  };
}

function npPorts(ports: readonly NpPort[] | undefined): readonly PortSpec[] | 'all' {
  if (ports === undefined || ports.length === 0) return 'all';
  return ports.map((p): PortSpec => {
    const proto = protosOf(p.protocol ?? 'TCP')[0] ?? 'tcp';
    const n = p.port === undefined ? undefined : numericPort(p.port);
    return n === undefined ? { kind: 'named', name: String(p.port), proto } : { kind: 'number', proto, port: n };
  });
}

function npPeer(peer: NpPeer, namespace: string, where: string): PeerSelector {
  const pods = peer.podSelector === undefined ? selectorOf([]) : compileSelector(peer.podSelector, `${where}.podSelector`);
  if (peer.namespaceSelector === undefined) {
    return { selector: withRequirement(pods, nsRequirement(namespace)), namesCluster: selectorHasKey(pods, LABEL.cluster) };
  }
  const nsSel = compileSelector(peer.namespaceSelector, `${where}.namespaceSelector`);
  const nsReqs = nsSel.requirements.map((r) => ({ ...r, key: `${LABEL.namespaceLabelsPrefix}${r.key}` }));
  return { selector: selectorOf([...pods.requirements, ...nsReqs]), namesCluster: selectorHasKey(pods, LABEL.cluster) };
}

function npRule(peers: readonly NpPeer[] | undefined, ports: readonly NpPort[] | undefined, namespace: string, where: string): PeerRule {
  const list = peers ?? [];
  return {
    anyPeer: list.length === 0,
    selectors: list.map((peer, i) => npPeer(peer, namespace, `${where}[${i}]`)),
    entities: [],
    ports: npPorts(ports),
  };
}

export function normalizeNp(p: NetworkPolicy, key: string): NormalizedPolicy {
  const namespace = p.metadata.namespace ?? 'default';
  const types = npPolicyTypes(p.spec);
  const ingress = types.ingress ? { rules: (p.spec.ingress ?? []).map((r, i) => npRule(r.from, r.ports, namespace, `spec.ingress[${i}].from`)) } : undefined;
  const egress = types.egress ? { rules: (p.spec.egress ?? []).map((r, i) => npRule(r.to, r.ports, namespace, `spec.egress[${i}].to`)) } : undefined;
  return { kind: 'NetworkPolicy', key, namespace, name: p.metadata.name, subject: compileSelector(p.spec.podSelector, 'spec.podSelector'), ingress, egress };
}

const parseCnp = jsonParser(CiliumNetworkPolicySchema);
const parseNp = jsonParser(NetworkPolicySchema);

/**
 * A stored policy value (under keys.resourcesPrefix(kindPlural)) → its
 * normalized rules. A CiliumNetworkPolicy with several rules (`specs`) gives
 * one NormalizedPolicy per rule (each rule selects its own endpoints).
 * Throws WeftError (KvInvalidValue / InvalidManifest) on an invalid value.
 */
export function parseStoredPolicy(kindPlural: string, key: string, value: string): NormalizedPolicy[] {
  switch (kindPlural) {
    case 'ciliumnetworkpolicies':
      return cnpToPolicies(parseCnp(key, value), key);
    case 'networkpolicies':
      return [normalizeNp(parseNp(key, value), key)];
    default:
      throw new WeftError(ErrorCode.InvalidInput, `"${kindPlural}" is not a policy kind (ciliumnetworkpolicies or networkpolicies)`);
  }
}

/** One NormalizedPolicy per rule of spec/specs; keys after the first get `#<n>`. */
export function cnpToPolicies(p: CiliumNetworkPolicy, key: string): NormalizedPolicy[] {
  return cnpRules(p).map(({ rule, path }, i) => normalizeCnpRule(p, rule, path, i === 0 ? key : `${key}#${i}`));
}
