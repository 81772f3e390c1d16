/**
 * The rules `weft clustermesh connect` checks before it changes anything
 * (pure). Each violation names the rule and the values.
 */
import { cidrsOverlap, parseCidr } from '../util/cidr.ts';

export interface MeshMember {
  readonly name: string;
  readonly id: number;
  readonly podCIDRs: readonly string[];
  readonly serviceCIDR: string;
  readonly routingMode: string;
}

export interface ConnectCheckInput {
  readonly source: MeshMember;
  readonly destination: MeshMember;
  /** Clusters each side is already connected to (their configurations, as cached). */
  readonly alreadyConnected: readonly MeshMember[];
  readonly sourceCaFingerprint: string;
  readonly destinationCaFingerprint: string;
  readonly allowMismatchingCa: boolean;
}

export interface Violation {
  readonly rule: string;
  readonly message: string;
}

const NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

function checkMember(m: MeshMember): Violation[] {
  const out: Violation[] = [];
  if (!Number.isInteger(m.id) || m.id < 1 || m.id > 255) out.push({ rule: 'cluster-id-range', message: `cluster ${m.name}: cluster id ${m.id} is out of range 1-255` });
  if (m.name.length > 32) out.push({ rule: 'cluster-name-length', message: `cluster name "${m.name}" is ${m.name.length} characters long; at most 32 are allowed` });
  if (!NAME.test(m.name)) out.push({ rule: 'cluster-name-charset', message: `cluster name "${m.name}" must be lower-case letters, digits and '-', starting and ending with a letter or digit` });
  return out;
}

function cidrsOf(m: MeshMember): { cidr: string; what: string }[] {
  return [...m.podCIDRs.map((c) => ({ cidr: c, what: `pod CIDR ${c} of ${m.name}` })), { cidr: m.serviceCIDR, what: `service CIDR ${m.serviceCIDR} of ${m.name}` }];
}

export function validateConnect(input: ConnectCheckInput): Violation[] {
  const { source, destination } = input;
  const out: Violation[] = [...checkMember(source), ...checkMember(destination)];
  if (source.name === destination.name) out.push({ rule: 'distinct-names', message: `both clusters are named "${source.name}"; cluster names must be unique in the mesh` });
  const members = new Map<string, MeshMember>();
  for (const m of [source, destination, ...input.alreadyConnected]) if (!members.has(m.name)) members.set(m.name, m);
  const all = [...members.values()];
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) {
      const a = all[i];
      const b = all[j];
      if (a === undefined || b === undefined) continue;
      if (a.id === b.id) out.push({ rule: 'distinct-ids', message: `clusters ${a.name} and ${b.name} both have cluster id ${a.id}; ids must be unique in the mesh` });
      for (const x of cidrsOf(a)) {
        for (const y of cidrsOf(b)) {
          if (cidrsOverlap(parseCidr(x.cidr), parseCidr(y.cidr))) out.push({ rule: 'cidr-overlap', message: `${x.what} overlaps ${y.what}` });
        }
      }
    }
  }
  if (source.routingMode !== destination.routingMode) {
    out.push({ rule: 'routing-mode', message: `cluster ${source.name} routes ${source.routingMode} but ${destination.name} routes ${destination.routingMode}; a mesh uses one routing mode` });
  }
  if (!input.allowMismatchingCa && input.sourceCaFingerprint !== input.destinationCaFingerprint) {
    out.push({
      rule: 'same-ca',
      message: `clusters ${source.name} and ${destination.name} have different CAs (${input.sourceCaFingerprint.slice(0, 16)}… vs ${input.destinationCaFingerprint.slice(0, 16)}…); enable one with --inherit-ca, or pass --allow-mismatching-ca`,
    });
  }
  return out;
}
