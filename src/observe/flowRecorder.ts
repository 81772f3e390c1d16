/**
 * The agent's flow recorder (the effects around flowView.ts): one long-lived
 * `conntrack -E -e NEW` child in the node's network namespace (every
 * connection its datapath let through: FORWARDED), restarted with backoff
 * if it dies; and a poll (every second) of the datapath's drop records
 * (policy: DROPPED) and reject records (service without backends:
 * REJECTED), each record emitted when it is new or its packet count grew.
 * What the records held when the recorder started is the baseline, not news.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { errorMessage } from '../errors.ts';
import { listNftJson } from '../datapath/netTools.ts';
import type { NetTools } from '../datapath/netTools.ts';
import { dropFlowSetName, NFT_FAMILY, NFT_TABLE, POLICY_DIRECTIONS } from '../datapath/nft/nftTable.ts';
import { parseDropFlows } from '../datapath/policy/policyDrops.ts';
import type { DropFlow } from '../datapath/policy/policyDrops.ts';
import { readServiceRejects } from '../datapath/services/serviceRejects.ts';
import type { ServiceReject } from '../datapath/services/serviceRejects.ts';
import { Backoff } from '../util/backoff.ts';
import type { Logger } from '../util/log.ts';
import { CONNTRACK_EVENT_ARGS, LineSplitter, parseConntrackEvent } from './conntrackEvents.ts';
import type { FlowRing } from './flowRing.ts';
import { droppedFlow, forwardedFlow, rejectedFlow } from './flowView.ts';
import type { FlowOrigin, FlowView, UnnumberedFlow } from './flowView.ts';

export interface FlowRecorderOptions {
  readonly node: string;
  readonly cluster: string;
  readonly ring: FlowRing;
  /** The agent's current endpoint and service view. */
  readonly view: () => FlowView;
  /** `nft` in the node's network namespace. */
  readonly tools: NetTools;
  readonly logger: Logger;
  /** The event reader's command line; default `conntrack -E -e NEW -o extended,id,timestamp`. */
  readonly conntrack?: readonly string[];
  readonly pollMs?: number;
}

export interface FlowRecorder {
  /** Resolves after the first poll of the drop and reject records (the baseline). */
  readonly ready: Promise<void>;
  stop(): Promise<void>;
}

/** Records whose packet count is new or grew since the last poll (`seen` updated in place; a count that went down is a new record). */
export function grownRecords<T extends { readonly packets: number }>(seen: Map<string, number>, records: readonly T[], keyOf: (r: T) => string): T[] {
  const out: T[] = [];
  const next = new Map<string, number>();
  for (const r of records) {
    const k = keyOf(r);
    const before = seen.get(k);
    if (before === undefined || r.packets !== before) out.push(r);
    next.set(k, r.packets);
  }
  seen.clear();
  for (const [k, v] of next) seen.set(k, v);
  return out;
}

const dropKey = (d: DropFlow): string => `${d.direction}|${d.saddr}|${d.daddr}|${d.proto}|${d.port}|${d.peerIdentity}`;
const rejectKey = (r: ServiceReject): string => `${r.saddr}|${r.sport}|${r.daddr}|${r.proto}|${r.dport}`;

async function readDropFlows(tools: NetTools): Promise<DropFlow[]> {
  const out: DropFlow[] = [];
  for (const d of POLICY_DIRECTIONS) {
    const json = await listNftJson(tools, ['set', NFT_FAMILY, NFT_TABLE, dropFlowSetName(d)]);
    if (json !== undefined) out.push(...parseDropFlows(json, d));
  }
  return out;
}

export function startFlowRecorder(opts: FlowRecorderOptions): FlowRecorder {
  const origin = (timeMs = Date.now()): FlowOrigin => ({ node: opts.node, cluster: opts.cluster, time: new Date(timeMs).toISOString() });
  const record = (f: UnnumberedFlow | undefined): void => void (f === undefined ? undefined : opts.ring.push(f));
  let stopped = false;

  // Forwarded: the conntrack event reader.
  const [command = 'conntrack', ...args] = opts.conntrack ?? ['conntrack', ...CONNTRACK_EVENT_ARGS];
  const backoff = new Backoff({ minMs: 1000, maxMs: 30_000 });
  let child: ChildProcess | undefined;
  let restart: NodeJS.Timeout | undefined;
  const startReader = (): void => {
    const startedAt = Date.now();
    const lines = new LineSplitter();
    const c = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    let stderr = '';
    c.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      const view = opts.view();
      for (const line of lines.push(chunk)) {
        const e = parseConntrackEvent(line);
        if (e !== undefined) record(forwardedFlow(e, view, origin(e.timeMs)));
      }
    });
    c.stderr?.setEncoding('utf8').on('data', (chunk: string) => void (stderr = (stderr + chunk).slice(-500)));
    let ended = false;
    const onEnd = (why: string): void => {
      if (ended) return;
      ended = true;
      if (stopped) return;
      if (Date.now() - startedAt > 30_000) backoff.reset();
      const delay = backoff.next();
      opts.logger.warn('conntrack event reader ended; restarting', { command, why, stderr: stderr.trim(), retryMs: delay });
      restart = setTimeout(startReader, delay);
    };
    c.on('error', (err) => onEnd(errorMessage(err)));
    c.on('exit', (code, signal) => onEnd(`exit ${code ?? signal ?? ''}`));
  };
  startReader();

  // Dropped and rejected: the datapath's records.
  const drops = new Map<string, number>();
  const rejects = new Map<string, number>();
  const poll = async (baseline: boolean): Promise<void> => {
    const [d, r] = await Promise.all([readDropFlows(opts.tools), readServiceRejects(opts.tools)]);
    const newDrops = grownRecords(drops, d, dropKey);
    const newRejects = grownRecords(rejects, r, rejectKey);
    if (baseline) return;
    const view = opts.view();
    for (const x of newDrops) record(droppedFlow(x, view, origin()));
    for (const x of newRejects) record(rejectedFlow(x, view, origin()));
  };
  const failed = (err: unknown): void => opts.logger.warn('cannot read the drop and reject records', { err: errorMessage(err) });
  const ready = poll(true).catch(failed);
  let polling: Promise<void> | undefined = ready;
  // One poll at a time: a slow `nft` skips ticks rather than queueing them.
  const timer = setInterval(() => {
    if (polling !== undefined) return;
    polling = poll(false)
      .catch(failed)
      .finally(() => void (polling = undefined));
  }, opts.pollMs ?? 1000);
  void ready.finally(() => void (polling = undefined));

  return {
    ready,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      clearTimeout(restart);
      const c = child;
      if (c !== undefined && c.exitCode === null && c.signalCode === null) {
        const exited = new Promise((resolve) => c.once('exit', resolve));
        c.kill('SIGTERM');
        await exited;
      }
      await polling;
    },
  };
}
