/**
 * Conntrack NEW events (pure parsing): one line of `conntrack -E -e NEW -o
 * extended,id,timestamp` (conntrack-tools 1.4.7) → the connection's original
 * and reply tuples. The original destination is what the client addressed
 * (a ClusterIP for a service connection); the reply source is who answers
 * (the backend after DNAT). A NEW event is emitted when the entry is
 * confirmed, i.e. its first packet passed the node's datapath.
 *
 *   [1796532726.289496]	    [NEW] ipv4     2 tcp      6 120 SYN_SENT src=… dst=… sport=… dport=… [UNREPLIED] src=… dst=… sport=… dport=… id=2518656976
 *
 * ICMP tuples carry `type= code= id=` themselves: the conntrack id is the
 * last `id=` of the line.
 */

export interface ConntrackTuple {
  readonly src: string;
  readonly dst: string;
  /** 0 for protocols without ports. */
  readonly sport: number;
  readonly dport: number;
}

export interface ConntrackEvent {
  /** Unix time in ms (the `timestamp` output option), undefined without it. */
  readonly timeMs: number | undefined;
  /** Lower case as conntrack prints it: tcp, udp, sctp, icmp, … */
  readonly proto: string;
  readonly original: ConntrackTuple;
  readonly reply: ConntrackTuple;
  /** The conntrack entry id (`id` output option), undefined without it. */
  readonly id: number | undefined;
}

const HEAD = /^\s*(?:\[(\d+)\.(\d+)\]\s+)?\[NEW\]\s+(?:ipv4\s+2\s+)?([a-z0-9]+)\s+\d+\s/;

function tupleOf(fields: readonly [string, string][]): ConntrackTuple | undefined {
  const get = (k: string): string | undefined => fields.find(([key]) => key === k)?.[1];
  const src = get('src');
  const dst = get('dst');
  if (src === undefined || dst === undefined) return undefined;
  return { src, dst, sport: Number(get('sport') ?? 0), dport: Number(get('dport') ?? 0) };
}

/** One event line → the event; undefined for anything else (IPv6, other event types, summary lines). */
export function parseConntrackEvent(line: string): ConntrackEvent | undefined {
  const head = HEAD.exec(line);
  if (head === null) return undefined;
  const [, sec, frac, proto] = head;
  const fields = [...line.slice(head[0].length).matchAll(/([a-z]+)=(\S+)/g)].map((m): [string, string] => [m[1] ?? '', m[2] ?? '']);
  // The second `src=` starts the reply tuple.
  const replyAt = fields.findIndex(([k], i) => k === 'src' && i > 0);
  if (replyAt < 0) return undefined;
  const original = tupleOf(fields.slice(0, replyAt));
  const replyFields = fields.slice(replyAt);
  const reply = tupleOf(replyFields);
  if (original === undefined || reply === undefined) return undefined;
  // The id option appends `id=N` after the reply tuple: an ICMP reply tuple has its own id first.
  const ids = replyFields.filter(([k]) => k === 'id');
  const ownId = proto === 'icmp' ? (ids.length > 1 ? ids.at(-1) : undefined) : ids.at(-1);
  const timeMs = sec === undefined ? undefined : Number(sec) * 1000 + Math.floor(Number(`0.${frac ?? '0'}`) * 1000);
  return { timeMs, proto: proto ?? '', original, reply, id: ownId === undefined ? undefined : Number(ownId[1]) };
}

/** The arguments of the long-lived event reader. */
export const CONNTRACK_EVENT_ARGS: readonly string[] = ['-E', '-e', 'NEW', '-o', 'extended,id,timestamp'];

/** Splits a stream into lines: feed chunks, get complete lines (a partial line waits for the next chunk). */
export class LineSplitter {
  #rest = '';
  push(chunk: string): string[] {
    const parts = (this.#rest + chunk).split('\n');
    this.#rest = parts.pop() ?? '';
    // A runaway line without a newline is bounded.
    if (this.#rest.length > 65536) this.#rest = '';
    return parts;
  }
}
