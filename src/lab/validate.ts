/**
 * Validation of `weft lab up` input (pure): syntax of every flag, then
 * conflicts with the lab's other clusters, the underlay and the root netns.
 */
import { WeftError, ErrorCode } from '../errors.ts';
import { cidrsOverlap, parseCidr, subnetCount } from '../util/cidr.ts';
import { RoutingMode } from '../model/state.ts';
import { MAX_NODES } from './plan.ts';
import type { LabClusterSpec } from './plan.ts';

export interface LabUpFlags {
  name?: string | undefined;
  id?: string | undefined;
  nodes?: string | undefined;
  podCidr?: string | undefined;
  serviceCidr?: string | undefined;
  routing?: string | undefined;
  nodeCidrMask?: string | undefined;
  policyDefaultLocalCluster?: string | undefined;
  kubernetes?: boolean | undefined;
}

/** The CIDR-holding part of an existing lab cluster. */
export interface ExistingCluster {
  name: string;
  id: number;
  podCIDRs: readonly string[];
  serviceCIDR: string;
}

/** A network the root netns already uses (address or route). */
export interface RootNetwork {
  cidr: string;
  /** What it is, for the message: "route dev eth0", "address on eth0". */
  source: string;
}

const NAME_RE = /^[a-z0-9][a-z0-9-]*$/;

export function validateClusterName(name: string): string {
  if (name.length === 0 || name.length > 32 || !NAME_RE.test(name)) {
    throw new WeftError(
      ErrorCode.InvalidClusterName,
      `cluster name "${name}" is invalid: use 1-32 characters from [a-z0-9-], not starting with '-'`,
    );
  }
  return name;
}

function parseInteger(what: string, text: string, min: number, max: number, code: ErrorCode = ErrorCode.InvalidInput): number {
  if (!/^\d+$/.test(text)) throw new WeftError(code, `${what} "${text}" is not a whole number (expected ${min}-${max})`);
  const n = Number(text);
  if (n < min || n > max) throw new WeftError(code, `${what} ${n} is out of range ${min}-${max}`);
  return n;
}

function required(flag: string, value: string | undefined): string {
  if (value === undefined || value === '') throw new WeftError(ErrorCode.InvalidInput, `missing required flag --${flag}`);
  return value;
}

function parseBooleanFlag(flag: string, text: string | undefined): boolean | undefined {
  if (text === undefined) return undefined;
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new WeftError(ErrorCode.InvalidInput, `--${flag} "${text}" is invalid: use true or false`);
}

/** Flags → spec, or a WeftError naming the first wrong flag and its value. */
export function parseClusterSpec(flags: LabUpFlags): LabClusterSpec {
  const name = validateClusterName(required('name', flags.name));
  const id = parseInteger('cluster id', required('id', flags.id), 1, 255, ErrorCode.InvalidClusterId);
  const nodes = parseInteger('node count', flags.nodes ?? '1', 1, MAX_NODES);
  const podCIDRs = required('pod-cidr', flags.podCidr)
    .split(',')
    .map((s) => s.trim());
  const pods = podCIDRs.map((c) => parseCidr(c));
  const serviceCIDR = required('service-cidr', flags.serviceCidr).trim();
  const service = parseCidr(serviceCIDR);
  const routingText = flags.routing ?? 'tunnel';
  const routing = RoutingMode.safeParse(routingText);
  if (!routing.success) throw new WeftError(ErrorCode.InvalidInput, `routing mode "${routingText}" is invalid: use native or tunnel`);

  for (let i = 0; i < pods.length; i++) {
    for (let j = i + 1; j < pods.length; j++) {
      if (cidrsOverlap(pods[i]!, pods[j]!)) {
        throw new WeftError(ErrorCode.CidrOverlap, `pod CIDR ${podCIDRs[i]} overlaps pod CIDR ${podCIDRs[j]}`);
      }
    }
    if (cidrsOverlap(pods[i]!, service)) {
      throw new WeftError(ErrorCode.CidrOverlap, `pod CIDR ${podCIDRs[i]} overlaps service CIDR ${serviceCIDR}`);
    }
  }

  const widest = Math.max(8, ...pods.map((p) => p.prefix));
  const nodeCidrMaskSize = parseInteger('node CIDR mask size', flags.nodeCidrMask ?? '24', widest, 30);
  const blocks = pods.reduce((sum, p) => sum + subnetCount(p, nodeCidrMaskSize), 0);
  if (blocks < nodes) {
    throw new WeftError(
      ErrorCode.InvalidInput,
      `pod CIDR ${podCIDRs.join(',')} holds only ${blocks} /${nodeCidrMaskSize} node blocks for ${nodes} nodes`,
    );
  }
  const policyDefaultLocalCluster = parseBooleanFlag('policy-default-local-cluster', flags.policyDefaultLocalCluster);
  if (flags.kubernetes === true && podCIDRs.length !== 1) {
    throw new WeftError(ErrorCode.InvalidCidr, `--kubernetes takes one --pod-cidr (the controller manager's --cluster-cidr); got ${podCIDRs.join(',')}`);
  }
  return {
    name,
    id,
    nodes,
    podCIDRs,
    serviceCIDR,
    routing: routing.data,
    nodeCidrMaskSize,
    ...(policyDefaultLocalCluster === undefined ? {} : { policyDefaultLocalCluster }),
    ...(flags.kubernetes === true ? { kubernetes: true } : {}),
  };
}

function cidrsOf(c: { podCIDRs: readonly string[]; serviceCIDR: string }): { kind: string; cidr: string }[] {
  return [...c.podCIDRs.map((cidr) => ({ kind: 'pod CIDR', cidr })), { kind: 'service CIDR', cidr: c.serviceCIDR }];
}

/** Name and id unique among lab clusters; no CIDR overlap with them nor with the underlay. */
export function checkAgainstLab(spec: LabClusterSpec, existing: readonly ExistingCluster[], underlayCidr: string): void {
  const sameName = existing.find((c) => c.name === spec.name);
  if (sameName !== undefined) {
    throw new WeftError(
      ErrorCode.DuplicateCluster,
      `lab cluster "${spec.name}" already exists (id ${sameName.id}); remove it first with \`weft lab down --name ${spec.name}\``,
    );
  }
  const sameId = existing.find((c) => c.id === spec.id);
  if (sameId !== undefined) {
    throw new WeftError(
      ErrorCode.DuplicateCluster,
      `cluster id ${spec.id} of "${spec.name}" is already used by lab cluster "${sameId.name}"; cluster ids must be unique`,
    );
  }
  const underlay = parseCidr(underlayCidr);
  for (const mine of cidrsOf(spec)) {
    const m = parseCidr(mine.cidr);
    if (cidrsOverlap(m, underlay)) {
      throw new WeftError(ErrorCode.CidrOverlap, `${mine.kind} ${mine.cidr} of "${spec.name}" overlaps the lab underlay ${underlayCidr}`);
    }
    for (const other of existing) {
      for (const theirs of cidrsOf(other)) {
        if (cidrsOverlap(m, parseCidr(theirs.cidr))) {
          throw new WeftError(
            ErrorCode.CidrOverlap,
            `${mine.kind} ${mine.cidr} of "${spec.name}" overlaps ${theirs.kind} ${theirs.cidr} of lab cluster "${other.name}"`,
          );
        }
      }
    }
  }
}

/** The underlay must not collide with anything the root netns already routes (default routes aside). */
export function checkUnderlayAgainstRoot(underlayCidr: string, rootNetworks: readonly RootNetwork[]): void {
  const underlay = parseCidr(underlayCidr);
  for (const net of rootNetworks) {
    const c = parseCidr(net.cidr);
    if (c.prefix === 0) continue;
    if (cidrsOverlap(c, underlay)) {
      throw new WeftError(
        ErrorCode.CidrOverlap,
        `lab underlay ${underlayCidr} overlaps ${net.cidr} (${net.source}) in the root network namespace; ` +
          'choose a free /16 with WEFT_LAB_UNDERLAY=a.b.0.0/16',
      );
    }
  }
}
