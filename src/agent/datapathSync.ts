/**
 * The agent's datapath loop: all known nodes, endpoints, service frontends
 * and policy verdicts → compile (pure) → two appliers make the kernel of
 * this node match: the routes applier (routes, VXLAN device: `ip` and
 * `bridge` batches) and the one applier of table `inet weft` (services,
 * ipcache and policy sets in ONE nft transaction). Both are injected: the
 * kernel ones in the agent, fakes in tests.
 */
import { compileDatapath } from '../datapath/routes/compile.ts';
import type { DatapathApplier } from '../datapath/routes/types.ts';
import type { TableApplier } from '../datapath/nft/tableApplier.ts';
import { compileIpcache } from '../datapath/policy/ipcache.ts';
import { compileServices } from '../datapath/services/servicesCompile.ts';
import { compilePolicySets } from '../datapath/policy/policyCompile.ts';
import type { EndpointPolicy } from '../policy/types.ts';
import type { EndpointState, NodeState, RoutingMode } from '../model/state.ts';
import type { Logger } from '../util/log.ts';
import type { Frontend } from '../services/frontends.ts';
import type { NodeIdentity } from './nodeRegistration.ts';
import { nftElementCounts, type DatapathMetrics } from '../observe/agentMetrics.ts';

export interface DatapathSyncOptions {
  readonly self: NodeIdentity;
  readonly routingMode: RoutingMode;
  readonly logger: Logger;
  /** Routes and the VXLAN device: KernelDatapathApplier on a node, FakeDatapathApplier in tests. */
  readonly routes: DatapathApplier;
  /** Table `inet weft`: NftTableApplier on a node, FakeTableApplier in tests. */
  readonly table: TableApplier;
  /** Sync duration, errors and what the table holds (the agent's /metrics). */
  readonly metrics?: DatapathMetrics | undefined;
}

export interface DatapathSyncInput {
  /** Every node of every cluster. */
  readonly nodes: readonly NodeState[];
  /** Every known endpoint of every cluster (the ipcache). */
  readonly endpoints: readonly EndpointState[];
  /** Service frontends of this cluster with the backends to balance over. */
  readonly frontends: readonly Frontend[];
  /**
   * The policy verdicts of this node's endpoints (the policy compiler's output). Absent: no policy
   * is enforced (every policy set emptied).
   */
  readonly policies?: readonly EndpointPolicy[];
}

export class DatapathSync {
  readonly #opts: DatapathSyncOptions;
  #lastWarnings = '';
  #lastPolicyWarnings = '';

  constructor(opts: DatapathSyncOptions) {
    this.#opts = opts;
  }

  /** Read the table back on the next sync (periodic repair of outside changes). */
  markDirty(): void {
    this.#opts.table.markDirty();
  }

  async close(): Promise<void> {
    await this.#opts.table.close();
  }

  #warnOnce(which: 'routes' | 'policy', warnings: readonly string[]): void {
    const text = warnings.join('; ');
    const last = which === 'routes' ? this.#lastWarnings : this.#lastPolicyWarnings;
    if (text !== last && text !== '') this.#opts.logger.warn(which === 'routes' ? 'datapath inputs skipped' : 'policy entries skipped', { warnings });
    if (which === 'routes') this.#lastWarnings = text;
    else this.#lastPolicyWarnings = text;
  }

  async sync(input: DatapathSyncInput): Promise<void> {
    const { self } = this.#opts;
    const me = input.nodes.find((n) => n.cluster === self.cluster && n.name === self.node);
    if (me === undefined || me.podCIDR === '') return;
    const started = performance.now();
    try {
      await this.#sync(input, me);
    } catch (err) {
      this.#opts.metrics?.failed((performance.now() - started) / 1000);
      throw err;
    }
  }

  async #sync(input: DatapathSyncInput, me: NodeState): Promise<void> {
    const started = performance.now();
    const { nodes, endpoints } = input;
    const { self, routingMode, logger } = this.#opts;
    const desired = compileDatapath({
      self: { name: me.name, ip: me.ip, podCIDR: me.podCIDR },
      routingMode,
      nodes: nodes.filter((n) => !(n.cluster === self.cluster && n.name === self.node)),
    });
    this.#warnOnce('routes', desired.warnings);
    const report = await this.#opts.routes.sync(desired);
    if (report.commands.length > 0) {
      logger.info('datapath synced', { routes: desired.routes.length, ...report.changes, device: report.device, fullResync: report.fullResync });
    }
    const nodeIps = nodes.filter((n) => n.ip !== me.ip).map((n) => n.ip);
    const policy = compilePolicySets(input.policies ?? []);
    this.#warnOnce('policy', policy.warnings);
    const tableDesired = {
      services: compileServices(input.frontends),
      ipcache: compileIpcache(endpoints, { selfIp: me.ip, nodeIps }),
      policy: policy.endpoints,
    };
    const table = await this.#opts.table.sync(tableDesired);
    const localEndpoints = endpoints.filter((e) => e.hostIP === me.ip).length;
    this.#opts.metrics?.synced((performance.now() - started) / 1000, nftElementCounts(tableDesired), localEndpoints);
    if (table.lines > 0) {
      const { services, ipcache, policy: pol } = table.changes;
      logger.info('nft table synced', {
        frontends: input.frontends.length,
        services,
        ipcache: { ...ipcache, size: endpoints.length },
        policy: { enforcedEndpoints: policy.endpoints.size, ...pol },
        fullResync: table.fullResync,
      });
    }
  }
}
