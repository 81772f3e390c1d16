/**
 * A flow: one new connection (or a denied attempt) seen by a node's datapath,
 * with its verdict, shaped after Hubble's flow (`hubble observe -o json`):
 * source and destination with pod, namespace, cluster and identity where
 * known, the protocol and port, and the service the client addressed.
 * Agents serve them (`GET /v1/flows` on the agent's HTTP port); `weft observe`
 * and `weft ui` read them. Validated on read like every value that crosses a
 * process.
 */
import { z } from 'zod';

export const FlowVerdict = z.enum(['FORWARDED', 'DROPPED', 'REJECTED']);
export type FlowVerdict = z.infer<typeof FlowVerdict>;

/** Why a flow was not forwarded. */
export const DropReason = z.enum(['POLICY_DENIED', 'NO_SERVICE_BACKENDS']);
export type DropReason = z.infer<typeof DropReason>;

export const FlowPeer = z.object({
  ip: z.string(),
  port: z.number().int().min(0).max(65535).optional(),
  pod: z.string().optional(),
  namespace: z.string().optional(),
  cluster: z.string().optional(),
  identity: z.number().int().optional(),
  /** Pod labels, `k=v`. */
  labels: z.array(z.string()).optional(),
});
export type FlowPeer = z.infer<typeof FlowPeer>;

export const FlowService = z.object({
  namespace: z.string(),
  name: z.string(),
  /** The ClusterIP and port the client addressed. */
  ip: z.string(),
  port: z.number().int(),
});
export type FlowService = z.infer<typeof FlowService>;

export const Flow = z.object({
  /** ISO 8601, when the node saw it. */
  time: z.string(),
  /** Increases per agent; with `node` it identifies a flow. */
  seq: z.number().int().nonnegative(),
  node: z.string(),
  cluster: z.string(),
  verdict: FlowVerdict,
  dropReason: DropReason.optional(),
  /** Which side's policy decided (drops): the endpoint's ingress or egress. */
  direction: z.enum(['ingress', 'egress']).optional(),
  protocol: z.enum(['TCP', 'UDP', 'SCTP', 'ICMP']),
  source: FlowPeer,
  destination: FlowPeer,
  service: FlowService.optional(),
});
export type Flow = z.infer<typeof Flow>;

/** The answer of `GET /v1/flows`. */
export const FlowsResponse = z.object({
  node: z.string(),
  cluster: z.string(),
  /** The ring's capacity and how many flows it has seen in all (so a reader knows what it missed). */
  capacity: z.number().int(),
  seen: z.number().int(),
  flows: z.array(Flow),
});
export type FlowsResponse = z.infer<typeof FlowsResponse>;
