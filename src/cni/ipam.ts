/**
 * The node's pod address allocator, owned by the agent. Addresses come from
 * the node's PodCIDR (never the network address, the first address, which
 * tunnels use as the node's own, or the broadcast address). One address per
 * (containerId, ifName), idempotent; every change is on disk before the
 * caller hears of it, and a restart reloads it, so no address ever has two
 * owners.
 */
import { readFileSync } from 'node:fs';
import { WeftError, ErrorCode } from '../errors.ts';
import { cidrContainsIp, cidrSize, formatCidr, formatIp, parseCidr, parseIp } from '../util/cidr.ts';
import type { Cidr } from '../util/cidr.ts';
import { writeFileDurable } from './durableFile.ts';
import { parseIpamState } from './ipamState.ts';
import type { IpAllocation, IpamState } from './ipamState.ts';

export type { IpAllocation } from './ipamState.ts';

export interface NodeIpamOptions {
  /** The node's PodCIDR, e.g. 10.1.3.0/24. */
  cidr: string;
  /** JSON file holding the allocations; created on first change. */
  stateFile: string;
}

const keyOf = (containerId: string, ifName: string): string => `${containerId}\u0000${ifName}`;

export class NodeIpam {
  readonly cidr: string;
  readonly #cidr: Cidr;
  readonly #file: string;
  readonly #byKey = new Map<string, IpAllocation>();
  readonly #byIp = new Map<string, IpAllocation>();
  /** Offset of the last address handed out; the next search starts after it. */
  #last = 0;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(opts: NodeIpamOptions) {
    this.#cidr = parseCidr(opts.cidr);
    this.cidr = formatCidr(this.#cidr);
    this.#file = opts.stateFile;
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

  /** Run mutations one at a time, in call order. */
  #locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #persist(): Promise<void> {
    const state: IpamState = { version: 1, cidr: this.cidr, last: this.#last, allocations: this.list() };
    await writeFileDurable(this.#file, `${JSON.stringify(state, null, 1)}\n`);
  }

  /** Snapshot of the state for undoing an in-memory change when the write fails. */
  async #commit(undo: () => void): Promise<void> {
    try {
      await this.#persist();
    } catch (err) {
      undo();
      throw new WeftError(ErrorCode.Internal, `cannot write IPAM state file ${this.#file}: ${(err as Error).message}`, { cause: err });
    }
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

  allocate(containerId: string, ifName: string, pod: { podNamespace?: string; podName?: string } = {}): Promise<IpAllocation> {
    return this.#locked(async () => {
      const existing = this.get(containerId, ifName);
      if (existing !== undefined) return existing;
      const offset = this.#nextFree();
      if (offset === undefined) {
        throw new WeftError(ErrorCode.PoolExhausted, `pod CIDR ${this.cidr} has no free address left (${this.#byIp.size} in use) for container ${containerId} ${ifName}`);
      }
      const a: IpAllocation = { ip: formatIp((this.#cidr.base + offset) >>> 0), containerId, ifName, ...pod, allocatedAt: new Date().toISOString() };
      const prevLast = this.#last;
      this.#index(a);
      this.#last = offset;
      await this.#commit(() => {
        this.#unindex(a);
        this.#last = prevLast;
      });
      return a;
    });
  }

  /** Release the address of (containerId, ifName); undefined when it held none. */
  release(containerId: string, ifName: string): Promise<IpAllocation | undefined> {
    return this.#locked(async () => {
      const a = this.get(containerId, ifName);
      if (a === undefined) return undefined;
      this.#unindex(a);
      await this.#commit(() => this.#index(a));
      return a;
    });
  }

  /** True when ip belongs to this node's PodCIDR. */
  contains(ip: string): boolean {
    return cidrContainsIp(this.#cidr, parseIp(ip));
  }
}
