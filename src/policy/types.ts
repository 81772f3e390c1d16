/**
 * Shared vocabulary of identities and network policy: what the identity
 * allocator produces, what the policy compiler (pure) computes per local
 * endpoint, and what the nftables policy applier enforces.
 */

/** Reserved identities, with Cilium's numbers. */
export const RESERVED_IDENTITY = {
  host: 1,
  world: 2,
  unmanaged: 3,
  health: 4,
  init: 5,
  remoteNode: 6,
} as const;
export type ReservedIdentityName = keyof typeof RESERVED_IDENTITY;

/** The local part of a cluster-scoped identity (Cilium starts at 256). */
export const LOCAL_IDENTITY_MIN = 256;
export const LOCAL_IDENTITY_MAX = 0xffff;

/** 24-bit identity: 8 bits cluster id, 16 bits local id. */
export function clusterIdentity(clusterId: number, local: number): number {
  return ((clusterId & 0xff) << 16) | (local & 0xffff);
}

/** Label keys Weft adds to every endpoint's identity (as Cilium does). */
export const LABEL = {
  namespace: 'io.kubernetes.pod.namespace',
  cluster: 'io.cilium.k8s.policy.cluster',
  /** Prefix of the namespace's own labels: io.cilium.k8s.namespace.labels.<key>. */
  namespaceLabelsPrefix: 'io.cilium.k8s.namespace.labels.',
} as const;

/** A known identity: local, or mirrored from a remote cluster. */
export interface IdentityInfo {
  readonly id: number;
  readonly cluster: string;
  /** The security-relevant labels (plain keys, no `k8s:` prefix), namespace and cluster included. */
  readonly labels: Readonly<Record<string, string>>;
}

export type L4Proto = 'tcp' | 'udp' | 'sctp';

export interface PortProto {
  readonly proto: L4Proto;
  /** 1–65535. */
  readonly port: number;
}

/** What one local endpoint allows in one direction (ingress: from peers; egress: to peers). */
export interface DirectionVerdict {
  /** Selected by at least one policy in this direction: whatever is not allowed below is dropped. */
  readonly enforced: boolean;
  /** Everything is allowed (e.g. fromEntities: all): no filtering needed. */
  readonly allowAll: boolean;
  /** Peer identities allowed on every protocol and port. Sorted, unique. */
  readonly l3: readonly number[];
  /** Peer identity . protocol . port allowed. Sorted, unique. */
  readonly l4: readonly (PortProto & { readonly identity: number })[];
  /** Any peer (every identity, world included) on these protocol/ports. Sorted, unique. */
  readonly l4Any: readonly PortProto[];
}

/** The policy verdicts of one endpoint of this node. */
export interface EndpointPolicy {
  readonly namespace: string;
  readonly pod: string;
  readonly ip: string;
  readonly identity: number;
  readonly ingress: DirectionVerdict;
  readonly egress: DirectionVerdict;
}

/** Not selected by any policy in this direction: everything passes. */
export const UNENFORCED: DirectionVerdict = { enforced: false, allowAll: true, l3: [], l4: [], l4Any: [] };
