/**
 * The agent's flows, wired: the ring (`--flow-buffer`, 0 = no recording),
 * the recorder in the node's network namespace (the agent runs in it), the
 * enrichment view rebuilt lazily after each datapath sync, and `GET
 * /v1/flows` on the agent's HTTP port.
 */
import type { DaemonHttp } from '../observe/daemonHttp.ts';
import type { NetTools } from '../datapath/netTools.ts';
import { parseKeyOf } from '../kvstore/keys.ts';
import type { EndpointState } from '../model/state.ts';
import type { Frontend } from '../services/frontends.ts';
import type { Logger } from '../util/log.ts';
import { FlowRing, flowsRoute } from '../observe/flowRing.ts';
import { startFlowRecorder } from '../observe/flowRecorder.ts';
import { buildFlowView } from '../observe/flowView.ts';
import type { FlowView, NamedEndpoint } from '../observe/flowView.ts';

export interface AgentFlows {
  /** The endpoints or frontends changed: the next flow rebuilds the view. */
  update(inputs: () => { endpoints: NamedEndpoint[]; frontends: readonly Frontend[] }): void;
  /** Flows recorded so far by verdict and drop reason. */
  verdictCounts(): { verdict: string; reason: string; count: number }[];
  stop(): Promise<void>;
}

/** The local endpoints' watch entries (key → value) with their names. */
export function namedLocalEndpoints(entries: readonly [string, EndpointState][]): NamedEndpoint[] {
  const out: NamedEndpoint[] = [];
  for (const [key, value] of entries) {
    const k = parseKeyOf('endpoint', key);
    if (k !== undefined) out.push({ cluster: k.cluster, namespace: k.ns, pod: k.pod, value });
  }
  return out;
}

export function startAgentFlows(opts: { node: string; cluster: string; capacity: number; http: DaemonHttp; tools: NetTools; logger: Logger }): AgentFlows {
  const ring = new FlowRing(opts.capacity);
  let inputs: (() => { endpoints: NamedEndpoint[]; frontends: readonly Frontend[] }) | undefined;
  let view: FlowView | undefined;
  const current = (): FlowView => {
    if (view === undefined) {
      const i = inputs?.() ?? { endpoints: [], frontends: [] };
      view = buildFlowView(i.endpoints, i.frontends);
    }
    return view;
  };
  const recorder = startFlowRecorder({ node: opts.node, cluster: opts.cluster, ring, view: current, tools: opts.tools, logger: opts.logger });
  opts.http.route('/v1/flows', flowsRoute(ring, opts));
  return {
    verdictCounts: () => ring.verdictCounts(),
    update: (next) => {
      inputs = next;
      view = undefined;
    },
    stop: () => recorder.stop(),
  };
}
