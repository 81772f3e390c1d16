/**
 * The agent's datapath loop: all known nodes + local endpoints → compile
 * (pure) → apply the difference to the kernel of this node.
 */
import { compileDatapath } from '../datapath/routes/compile.ts';
import { KernelDatapathApplier } from '../datapath/routes/apply.ts';
import { hostNetTools } from '../datapath/netTools.ts';
import type { DatapathApplier } from '../datapath/routes/types.ts';
import { compileIpcache, NftIpcache } from '../datapath/policy/ipcache.ts';
import { NftServices } from '../datapath/services/services.ts';
import { spawnNftSession } from '../datapath/nft/nftSession.ts';
import { compileServices } from '../datapath/services/servicesCompile.ts';
import { NftPolicy } from '../datapath/policy/policy.ts';
import { compilePolicySets } from '../datapath/policy/policyCompile.ts';
import type { EndpointPolicy } from '../policy/types.ts';
import type { EndpointState, NodeState, RoutingMode } from '../model/state.ts';
import type { Logger } from '../util/log.ts';
import type { Frontend } from '../services/frontends.ts';
import type { NodeIdentity } from './nodeRegistration.ts';

export interface DatapathSyncOptions {
  readonly self: NodeIdentity;
  readonly routingMode: RoutingMode;
  readonly logger: Logger;
  readonly applier?: DatapathApplier;
}

export interface DatapathSyncInput {
  /** Every node of every cluster. */
  readonly nodes: readonly NodeState[];
  /** Pods on this node. */
  readonly localEndpoints: readonly { ip: string; containerId: string }[];
  /** Every known endpoint of every cluster (the ipcache). */
  readonly endpoints: readonly EndpointState[];
  /** Service frontends of this cluster with the backends to balance over. */
  readonly frontends: readonly Frontend[];
  /**
   * The policy verdicts of this node's endpoints (the policy compiler's output). Absent: no policy
   * is enforced (every policy set emptied). Optional until the agent passes it.
   */
  readonly policies?: readonly EndpointPolicy[];
}

export class DatapathSync {
  readonly #opts: DatapathSyncOptions;
  readonly #applier: DatapathApplier;
  readonly #ipcache: NftIpcache;
  readonly #services: NftServices;
  readonly #policy: NftPolicy;
  #lastWarnings = '';
  #lastPolicyWarnings = '';

  constructor(opts: DatapathSyncOptions) {
    this.#opts = opts;
    this.#applier = opts.applier ?? new KernelDatapathApplier({ tools: hostNetTools() });
    this.#ipcache = new NftIpcache(hostNetTools());
    this.#services = new NftServices(hostNetTools(), { session: () => spawnNftSession(['nft']) });
    this.#policy = new NftPolicy(hostNetTools(), { session: () => spawnNftSession(['nft']) });
  }

  /** Re-read the kernel on the next sync (periodic repair of outside changes). */
  markDirty(): void {
    this.#services.markDirty();
    this.#policy.markDirty();
  }

  async close(): Promise<void> {
    await this.#services.close();
    await this.#policy.close();
  }

  async sync(input: DatapathSyncInput): Promise<void> {
    const { nodes, localEndpoints, endpoints } = input;
    const { self, routingMode, logger } = this.#opts;
    const me = nodes.find((n) => n.cluster === self.cluster && n.name === self.node);
    if (me === undefined || me.podCIDR === '') return;
    const desired = compileDatapath({
      self: { name: me.name, ip: me.ip, podCIDR: me.podCIDR },
      routingMode,
      nodes: nodes.filter((n) => !(n.cluster === self.cluster && n.name === self.node)),
      localEndpoints: localEndpoints.map((e) => ({ ip: e.ip, hostVeth: '' })),
    });
    const warnings = desired.warnings.join('; ');
    if (warnings !== this.#lastWarnings && warnings !== '') logger.warn('datapath inputs skipped', { warnings: desired.warnings });
    this.#lastWarnings = warnings;
    const report = await this.#applier.sync(desired);
    if (report.commands.length > 0) {
      logger.info('datapath synced', { routes: desired.routes.length, ...report.changes, device: report.device, fullResync: report.fullResync });
    }
    const svc = await this.#services.sync(compileServices(input.frontends));
    if (svc.lines > 0) logger.info('services synced', { frontends: input.frontends.length, ...svc.changes, fullResync: svc.fullResync });
    // The ipcache before the policy sets: a new peer's identity is known before an element allows it.
    const nodeIps = nodes.filter((n) => n.ip !== me.ip).map((n) => n.ip);
    const ipc = await this.#ipcache.sync(compileIpcache(endpoints, { selfIp: me.ip, nodeIps }));
    if (ipc.added + ipc.removed > 0) logger.debug('ipcache synced', { ...ipc, size: endpoints.length });
    const pol = compilePolicySets(input.policies ?? []);
    const polWarnings = pol.warnings.join('; ');
    if (polWarnings !== this.#lastPolicyWarnings && polWarnings !== '') logger.warn('policy entries skipped', { warnings: pol.warnings });
    this.#lastPolicyWarnings = polWarnings;
    const pr = await this.#policy.sync(pol);
    if (pr.lines > 0) logger.info('policy synced', { enforcedEndpoints: pol.endpoints.size, ...pr.changes, fullResync: pr.fullResync });
  }
}
