/**
 * The reflector's view of one remote cluster, written to the local etcd at
 * weft/mesh/status/<remote> (keys.meshStatus) for `weft clustermesh status`
 * and `weft status`. Never exported to other clusters.
 */
import { z } from 'zod';

/** The state kinds whose sync and size the status reports. */
export const STATUS_KINDS = ['nodes', 'endpoints', 'identities', 'services'] as const;
export type StatusKind = (typeof STATUS_KINDS)[number];

const perKind = <T extends z.ZodType>(t: T) => z.object({ nodes: t, endpoints: t, identities: t, services: t });

export const RemoteStatus = z.object({
  name: z.string(),
  configured: z.literal(true),
  connected: z.boolean(),
  /** connected, the first full list written to the local cache, and the remote's sync marker seen. */
  ready: z.boolean(),
  synced: perKind(z.boolean()),
  /** What the local cache holds, per kind. */
  counts: perKind(z.number().int().min(0)),
  failures: z.number().int().min(0),
  /** '' = never */
  lastFailure: z.string(),
  lastFailureAt: z.string(),
  connectedSince: z.string(),
  updatedAt: z.string(),
});
export type RemoteStatus = z.infer<typeof RemoteStatus>;

export type KindCounts = Record<StatusKind, number>;

/** What a remote connection knows about itself; the status is derived from it. */
export interface RemoteView {
  readonly name: string;
  readonly connected: boolean;
  /** The current connection's first full list has been written to the local cache. */
  readonly listed: boolean;
  /** The remote's weft/synced/<remote>/state marker exists (current connection). */
  readonly markerSeen: boolean;
  readonly counts: KindCounts;
  readonly failures: number;
  readonly lastFailure: string;
  readonly lastFailureAt: string;
  readonly connectedSince: string;
}

export function emptyCounts(): KindCounts {
  return { nodes: 0, endpoints: 0, identities: 0, services: 0 };
}

/** The status of a remote (pure); updatedAt is stamped by the writer. */
export function remoteStatusOf(v: RemoteView): Omit<RemoteStatus, 'updatedAt'> {
  const synced = v.connected && v.listed;
  return {
    name: v.name,
    configured: true,
    connected: v.connected,
    ready: synced && v.markerSeen,
    synced: { nodes: synced, endpoints: synced, identities: synced, services: synced },
    counts: { ...v.counts },
    failures: v.failures,
    lastFailure: v.lastFailure,
    lastFailureAt: v.lastFailureAt,
    connectedSince: v.connectedSince,
  };
}
