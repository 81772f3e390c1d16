/**
 * What the node load-balances: one Frontend per (service, port) with the
 * backends to spread new connections over. Produced by serviceFrontends()
 * (src/services/frontends.ts); consumed by compileServices().
 * Shape agreed in docs/briefs services.md; defined here until both sides share one file.
 */
import type { ServiceProtocol } from '../../model/state.ts';

export interface FrontendBackend {
  readonly ip: string;
  /** Resolved target port for this frontend's port. */
  readonly port: number;
  readonly cluster: string;
  readonly preferred: boolean;
}

export interface Frontend {
  readonly namespace: string;
  readonly name: string;
  /** '' while the service has no ClusterIP yet (such a frontend is skipped). */
  readonly clusterIP: string;
  readonly port: number;
  readonly protocol: ServiceProtocol;
  /** The backends to load-balance over (affinity already applied). */
  readonly backends: readonly FrontendBackend[];
  /** Every known backend, for display (`weft service list`). */
  readonly allBackends: readonly FrontendBackend[];
}
