/**
 * Reading flows from the agents (`weft observe`, `weft ui`): which agents to
 * ask (every node of the cluster, or of the whole mesh, from the mesh read
 * model) and one bounded `GET /v1/flows` per agent. An agent that does not
 * answer (in time, or with a valid FlowsResponse) is reported with its
 * error, never fatal. Following is polling: pass back the returned `cursor`
 * as `since` and only newer flows come (each agent numbers its own flows).
 */
import type { KvBackend } from '../kvstore/backend.ts';
import { errorMessage } from '../errors.ts';
import { FlowsResponse } from '../model/flow.ts';
import type { Flow } from '../model/flow.ts';
import { listNodes } from '../cli/node.ts';
import { AGENT_HTTP_PORT } from './daemonHttp.ts';

export interface FlowTarget {
  readonly cluster: string;
  readonly node: string;
  /** The agent's HTTP base, `http://<node ip>:9962`. */
  readonly url: string;
}

/** A target's key in `since` / `cursor`: `cluster/node`. */
export const targetKey = (t: { readonly cluster: string; readonly node: string }): string => `${t.cluster}/${t.node}`;

/** The agents to ask: every node of `cluster`, or with `allClusters` every node of every connected cluster too. */
export async function flowTargets(kv: KvBackend, cluster: string, opts: { readonly allClusters: boolean; readonly port?: number }): Promise<FlowTarget[]> {
  const port = opts.port ?? AGENT_HTTP_PORT;
  return (await listNodes(kv, cluster))
    .filter((n) => n.ip !== '' && (opts.allClusters || n.cluster === cluster))
    .map((n) => ({ cluster: n.cluster, node: n.name, url: `http://${n.ip}:${port}` }));
}

export interface FlowQuery {
  /** At most this many of the newest flows per agent. */
  readonly last?: number;
  /** Per target (targetKey): only flows with a larger seq. */
  readonly since?: ReadonlyMap<string, number>;
  /** Per agent request; default 3000 ms. */
  readonly timeoutMs?: number;
}

export interface FlowTargetError {
  readonly target: FlowTarget;
  readonly error: string;
}

export interface FlowFetch {
  /** Every answered flow, oldest first (by time, then cluster/node and seq). */
  readonly flows: Flow[];
  /** The agents' answers (ring capacity, flows seen in all). */
  readonly answers: { readonly target: FlowTarget; readonly response: FlowsResponse }[];
  /** The agents that did not answer, with why. */
  readonly errors: FlowTargetError[];
  /** Per target the largest seq seen so far (carried over from `since` for agents that did not answer): the next `since`. */
  readonly cursor: Map<string, number>;
}

export const DEFAULT_FLOW_TIMEOUT_MS = 3000;

/** `GET <url>/v1/flows?last=&since=` of one agent, validated. */
export async function fetchAgentFlows(target: FlowTarget, query: { last?: number | undefined; since?: number | undefined; timeoutMs: number }): Promise<FlowsResponse> {
  const url = new URL('/v1/flows', target.url);
  if (query.last !== undefined) url.searchParams.set('last', String(query.last));
  if (query.since !== undefined) url.searchParams.set('since', String(query.since));
  const res = await fetch(url, { signal: AbortSignal.timeout(query.timeoutMs) });
  const body = await res.text();
  if (!res.ok) throw new Error(`${url.href} answered ${res.status}: ${body.trim().slice(0, 200)}`);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Error(`${url.href} answered with something that is not JSON`);
  }
  const parsed = FlowsResponse.safeParse(json);
  if (!parsed.success) throw new Error(`${url.href} answered with an invalid FlowsResponse: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/** Oldest first: time, then cluster/node, then seq. */
export function compareFlows(a: Flow, b: Flow): number {
  return a.time.localeCompare(b.time) || `${a.cluster}/${a.node}`.localeCompare(`${b.cluster}/${b.node}`) || a.seq - b.seq;
}

/** Asks every target at once; bounded by `timeoutMs` each. */
export async function fetchFlows(targets: readonly FlowTarget[], query: FlowQuery = {}): Promise<FlowFetch> {
  const timeoutMs = query.timeoutMs ?? DEFAULT_FLOW_TIMEOUT_MS;
  const results = await Promise.all(
    targets.map(async (target) => {
      const since = query.since?.get(targetKey(target));
      try {
        return { target, response: await fetchAgentFlows(target, { last: query.last, since, timeoutMs }) };
      } catch (err) {
        const e = err instanceof Error && err.name === 'TimeoutError' ? `did not answer within ${timeoutMs} ms` : errorMessage(err);
        return { target, error: `agent ${targetKey(target)} at ${target.url}: ${e}` };
      }
    }),
  );
  const cursor = new Map(query.since ?? []);
  const flows: Flow[] = [];
  const answers: FlowFetch['answers'] = [];
  const errors: FlowTargetError[] = [];
  for (const r of results) {
    if ('error' in r) {
      errors.push({ target: r.target, error: r.error });
      continue;
    }
    answers.push({ target: r.target, response: r.response });
    const key = targetKey(r.target);
    for (const f of r.response.flows) {
      flows.push(f);
      cursor.set(key, Math.max(cursor.get(key) ?? 0, f.seq));
    }
  }
  return { flows: flows.sort(compareFlows), answers, errors, cursor };
}
