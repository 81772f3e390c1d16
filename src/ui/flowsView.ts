/**
 * What `/api/flows` answers (pure): the recent flows of the agents asked,
 * each connection once, aggregated into the workload graph (flowGraph.ts),
 * the newest few as a list, and the agents that did not answer.
 */
import type { Flow } from '../model/flow.ts';
import { flowGraph, uniqueFlows } from './flowGraph.ts';
import type { FlowGraph } from './flowGraph.ts';

export interface FlowsView {
  readonly generatedAt: string;
  readonly graph: FlowGraph;
  /** The newest flows, newest first (at most RECENT_FLOWS). */
  readonly recent: readonly Flow[];
  /** Agents asked and answering. */
  readonly agents: { readonly asked: number; readonly answered: number };
  /** Why an agent did not answer, one line each. */
  readonly errors: readonly string[];
}

export const RECENT_FLOWS = 30;

/** `flows` oldest first, as fetchFlows returns them. */
export function flowsView(flows: readonly Flow[], agents: FlowsView['agents'], errors: readonly string[], now: string): FlowsView {
  const unique = uniqueFlows(flows);
  return { generatedAt: now, graph: flowGraph(unique), recent: unique.slice(-RECENT_FLOWS).reverse(), agents, errors };
}
