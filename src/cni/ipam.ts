/**
 * The node's pod address allocator, owned by the agent. Addresses come from
 * the node's PodCIDR (never the network address, the first address, which
 * tunnels use as the node's own, or the broadcast address). One address per
 * (containerId, ifName), idempotent; every change is on disk before the
 * caller hears of it, and a restart reloads it, so no address ever has two
 * owners.
 *
 * Group commit: a change is decided in memory at once (synchronously, so
 * concurrent callers never pick the same address) and queued; one durable
 * write carries every change queued while the previous write was running,
 * so 16 concurrent ADDs cost a few fsyncs, not 16. A failed write undoes every
 * change not yet on disk, newest first, and each of their callers gets the error.
 */
import { readFileSync } from 'node:fs';
import { WeftError, ErrorCode } from '../errors.ts';
import { cidrContainsIp, cidrSize, formatCidr, formatIp, parseCidr, parseIp } from '../util/cidr.ts';
import type { Cidr } from '../util/cidr.ts';
import { writeFileDurable } from '../util/atomicFile.ts';
import { parseIpamState } from './ipamState.ts';
import type { IpAllocation, IpamState } from './ipamState.ts';

export type { IpAllocation } from './ipamState.ts';

export interface NodeIpamOptions {
  /** The node's PodCIDR, e.g. 10.1.3.0/24. */
  cidr: string;
  /** JSON file holding the allocations; created on first change. */
  stateFile: string;
  /** How the file is written (default: writeFileDurable: tmp + fsync + rename + fsync of the folder). Tests inject failures. */
  writeFile?: (file: string, content: string) => Promise<void>;
}

const keyOf = (containerId: string, ifName: string): string => `${containerId}\u0000${ifName}`;

interface PendingChange {
  undo(): void;
  resolve(): void;
  reject(err: Error): void;
}

export class NodeIpam {
  readonly cidr: string;
  readonly #cidr: Cidr;
  readonly #file: string;
  readonly #write: (file: string, content: string) => Promise<void>;
  readonly #byKey = new Map<string, IpAllocation>();
  readonly #byIp = new Map<string, IpAllocation>();
  /** Offset of the last address handed out; the next search starts after it. */
  #last = 0;
  /** Changes made in memory, not yet on disk, oldest first. */
  #pending: PendingChange[] = [];
  #writing = false;
  /** Owners whose allocation is not yet on disk: the commit to wait for before answering with it. */
  readonly #undurable = new Map<string, Promise<void>>();

  constructor(opts: NodeIpamOptions) {
    this.#cidr = parseCidr(opts.cidr);
    this.cidr = formatCidr(this.#cidr);
    this.#file = opts.stateFile;
    this.#write = opts.writeFile ?? ((file, content) => writeFileDurable(file, content));
    const state = this.#load();
    if (state === undefined) return;
    if (state.cidr === this.cidr) this.#last = state.last;
    for (const a of state.allocations) this.#index(a);
  }

  #load(): IpamState | undefined {
    let text: string;
    try {
      text = readFileSync(this.#file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new WeftError(ErrorCode.Internal, `cannot read IPAM state file ${this.#file}: ${(err as Error).message}`, { cause: err });
    }
    return parseIpamState(this.#file, text);
  }

  #index(a: IpAllocation): void {
    this.#byKey.set(keyOf(a.containerId, a.ifName), a);
    this.#byIp.set(a.ip, a);
  }

  #unindex(a: IpAllocation): void {
    this.#byKey.delete(keyOf(a.containerId, a.ifName));
    this.#byIp.delete(a.ip);
  }

  async #persist(): Promise<void> {
    const state: IpamState = { version: 1, cidr: this.cidr, last: this.#last, allocations: this.list() };
    await this.#write(this.#file, `${JSON.stringify(state, null, 1)}\n`);
  }

  /** Queue a change made in memory; resolves once it is on disk. undo reverts it if the write fails. */
  #commit(undo: () => void): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.#pending.push({ undo, resolve, reject }));
    if (!this.#writing) void this.#writeLoop();
    return done;
  }

  async #writeLoop(): Promise<void> {
    this.#writing = true;
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0); // the snapshot #persist takes now holds exactly these changes
      try {
        await this.#persist();
        for (const c of batch) c.resolve();
      } catch (err) {
        // later changes may build on this batch (an address released here, allocated there): undo them all, newest first
        const failed = [...batch, ...this.#pending.splice(0)];
        for (const c of [...failed].reverse()) c.undo();
        const e = new WeftError(ErrorCode.Internal, `cannot write IPAM state file ${this.#file}: ${(err as Error).message}`, { cause: err });
        for (const c of failed) c.reject(e);
      }
    }
    this.#writing = false;
  }

  get(containerId: string, ifName: string): IpAllocation | undefined {
    return this.#byKey.get(keyOf(containerId, ifName));
  }

  list(): IpAllocation[] {
    return [...this.#byKey.values()].sort((a, b) => parseIp(a.ip) - parseIp(b.ip));
  }

  #nextFree(): number | undefined {
    const size = cidrSize(this.#cidr);
    const first = 2;
    const count = size - 3; // without network, first address, broadcast
    if (count <= 0) return undefined;
    const start = this.#last >= first && this.#last < size - 1 ? this.#last - first + 1 : 0;
    for (let i = 0; i < count; i++) {
      const offset = first + ((start + i) % count);
      if (!this.#byIp.has(formatIp((this.#cidr.base + offset) >>> 0))) return offset;
    }
    return undefined;
  }

  async allocate(containerId: string, ifName: string, pod: { podNamespace?: string; podName?: string } = {}): Promise<IpAllocation> {
    const key = keyOf(containerId, ifName);
    const existing = this.#byKey.get(key);
    if (existing !== undefined) {
      await this.#undurable.get(key); // answered only once on disk, even when an earlier call made it
      return existing;
    }
    const offset = this.#nextFree();
    if (offset === undefined) {
      throw new WeftError(ErrorCode.PoolExhausted, `pod CIDR ${this.cidr} has no free address left (${this.#byIp.size} in use) for container ${containerId} ${ifName}`);
    }
    const a: IpAllocation = { ip: formatIp((this.#cidr.base + offset) >>> 0), containerId, ifName, ...pod, allocatedAt: new Date().toISOString() };
    const prevLast = this.#last;
    this.#index(a);
    this.#last = offset;
    const durable = this.#commit(() => {
      this.#unindex(a);
      this.#last = prevLast;
    });
    this.#undurable.set(key, durable);
    try {
      await durable;
    } finally {
      if (this.#undurable.get(key) === durable) this.#undurable.delete(key);
    }
    return a;
  }

  /** Release the address of (containerId, ifName); undefined when it held none. */
  async release(containerId: string, ifName: string): Promise<IpAllocation | undefined> {
    const a = this.get(containerId, ifName);
    if (a === undefined) return undefined;
    this.#unindex(a);
    await this.#commit(() => this.#index(a));
    return a;
  }

  /** True when ip belongs to this node's PodCIDR. */
  contains(ip: string): boolean {
    return cidrContainsIp(this.#cidr, parseIp(ip));
  }
}
