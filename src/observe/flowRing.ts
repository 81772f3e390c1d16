/**
 * The agent's flows: a bounded ring (oldest overwritten), each flow numbered
 * with an increasing `seq` (1, 2, …), and the pure handler of `GET
 * /v1/flows?last=N&since=S` (FlowsResponse). Followers poll with
 * since=<last seq they saw>.
 */
import { ErrorCode, WeftError } from '../errors.ts';
import type { Flow, FlowsResponse } from '../model/flow.ts';
import { jsonAnswer } from './daemonHttp.ts';
import type { Route } from './daemonHttp.ts';
import type { UnnumberedFlow } from './flowView.ts';

export const DEFAULT_FLOW_BUFFER = 4096;

export class FlowRing {
  readonly capacity: number;
  readonly #slots: (Flow | undefined)[];
  #seen = 0;
  /** Flows ever pushed, by `verdict/reason` (reason '' when forwarded). */
  readonly #byVerdict = new Map<string, number>();

  constructor(capacity = DEFAULT_FLOW_BUFFER) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new WeftError(ErrorCode.InvalidInput, `flow buffer size must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.#slots = new Array<Flow | undefined>(capacity);
  }

  /** Flows ever pushed by verdict and drop reason (the agent's `weft_flows_total`). */
  verdictCounts(): { verdict: string; reason: string; count: number }[] {
    return [...this.#byVerdict].map(([k, count]) => {
      const [verdict = '', reason = ''] = k.split('/');
      return { verdict, reason, count };
    });
  }

  /** How many flows were ever pushed (= the last seq). */
  get seen(): number {
    return this.#seen;
  }

  push(flow: UnnumberedFlow): Flow {
    const numbered: Flow = { ...flow, seq: ++this.#seen };
    const key = `${flow.verdict}/${flow.dropReason ?? ''}`;
    this.#byVerdict.set(key, (this.#byVerdict.get(key) ?? 0) + 1);
    this.#slots[(numbered.seq - 1) % this.capacity] = numbered;
    return numbered;
  }

  /**
   * Flows oldest first with seq > since (a `since` beyond what this ring has seen is a reader of an
   * earlier life of the agent: everything kept), the newest `last` of them.
   */
  query(opts: { last?: number | undefined; since?: number | undefined } = {}): Flow[] {
    const since = opts.since === undefined || opts.since > this.#seen ? 0 : opts.since;
    const first = Math.max(since + 1, this.#seen - this.capacity + 1, 1);
    const from = opts.last === undefined ? first : Math.max(first, this.#seen - opts.last + 1);
    const out: Flow[] = [];
    for (let seq = from; seq <= this.#seen; seq++) {
      const f = this.#slots[(seq - 1) % this.capacity];
      if (f !== undefined) out.push(f);
    }
    return out;
  }
}

function count(url: URL, name: string): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new WeftError(ErrorCode.InvalidInput, `${name} must be a non-negative integer, got "${raw}"`);
  return n;
}

/** `GET /v1/flows?last=N&since=S`: 400 naming a bad parameter. */
export function flowsRoute(ring: FlowRing, self: { readonly node: string; readonly cluster: string }): Route {
  return (url) => {
    let last: number | undefined;
    let since: number | undefined;
    try {
      last = count(url, 'last');
      since = count(url, 'since');
    } catch (err) {
      return jsonAnswer({ error: (err as Error).message }, 400);
    }
    const body: FlowsResponse = { node: self.node, cluster: self.cluster, capacity: ring.capacity, seen: ring.seen, flows: ring.query({ last, since }) };
    return jsonAnswer(body);
  };
}
