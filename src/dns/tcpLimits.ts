/**
 * Who may hold a DNS-over-TCP connection (pure bookkeeping, no sockets).
 * Every pod of a node shares one responder, so one client must not be able to
 * use up what the others need: each source address holds at most `perClient`
 * connections and all clients together at most `total` (file descriptors and
 * memory stay bounded). A connection over either limit is refused at once;
 * the ones already open are untouched.
 */
import { WeftError, ErrorCode } from '../errors.ts';

export interface TcpLimits {
  /** Concurrent connections from one source address. */
  perClient: number;
  /** Concurrent connections from all clients together. */
  total: number;
  /**
   * Time allowed for each complete query: from the connection's opening, then
   * from the previous query. Bytes that do not complete a query do not extend
   * it, so a client trickling a byte at a time is closed all the same.
   */
  queryTimeoutMs: number;
}

export const DEFAULT_TCP_LIMITS: Readonly<TcpLimits> = { perClient: 16, total: 256, queryTimeoutMs: 5_000 };

export type Admission = 'admitted' | 'client-limit' | 'total-limit';

/** Checks limits given by flags or options: whole numbers of at least 1. */
export function validateTcpLimits(limits: TcpLimits): TcpLimits {
  for (const [field, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1) throw new WeftError(ErrorCode.InvalidInput, `DNS TCP limit ${field} ${value} is not a whole number of at least 1`);
  }
  return limits;
}

export class TcpAdmission {
  readonly #limits: TcpLimits;
  readonly #perClient = new Map<string, number>();
  #total = 0;

  constructor(limits: TcpLimits) {
    this.#limits = limits;
  }

  /** Takes a slot for `client` when both limits allow it; the caller must release() an admitted one exactly once. */
  admit(client: string): Admission {
    const held = this.#perClient.get(client) ?? 0;
    if (held >= this.#limits.perClient) return 'client-limit';
    if (this.#total >= this.#limits.total) return 'total-limit';
    this.#perClient.set(client, held + 1);
    this.#total++;
    return 'admitted';
  }

  release(client: string): void {
    const held = this.#perClient.get(client) ?? 0;
    if (held === 0) return;
    if (held === 1) this.#perClient.delete(client);
    else this.#perClient.set(client, held - 1);
    this.#total--;
  }

  /** Connections held by one client, and by all. */
  held(client?: string): number {
    return client === undefined ? this.#total : (this.#perClient.get(client) ?? 0);
  }
}
