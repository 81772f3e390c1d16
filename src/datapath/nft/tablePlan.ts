/**
 * The whole of table `inet weft` as one plan (pure): the service objects,
 * the ipcache and the policy sets, desired vs what the kernel holds (the
 * applier's shadow, or the table just read back), as the lines of ONE
 * transaction. Each part is diffed element by element by its own planner;
 * an identical state plans no line at all.
 *
 * Order inside the transaction: services (chains first, then their elements,
 * unused `svc-lb-*` chains last), the ipcache, the policy sets. The
 * transaction is atomic, so a new peer's identity and the element allowing
 * it appear together.
 */
import { diffElements, elementCommands } from './nftElements.ts';
import { IPCACHE, NFT_FAMILY, NFT_TABLE } from './nftTable.ts';
import { compileServices } from '../services/servicesCompile.ts';
import type { ServiceNftDesired } from '../services/servicesCompile.ts';
import { emptyServiceState } from '../services/servicesKernel.ts';
import type { ServiceNftState } from '../services/servicesKernel.ts';
import { planServiceSync, serviceStateAfter } from '../services/servicesPlan.ts';
import type { ServicePlanChanges } from '../services/servicesPlan.ts';
import type { EndpointPolicyElements } from '../policy/policyCompile.ts';
import { planPolicySync } from '../policy/policyPlan.ts';
import type { PolicyPlanChanges } from '../policy/policyPlan.ts';

/** What the node's table should hold: the output of compileServices, compileIpcache and compilePolicySets. */
export interface NftTableDesired {
  readonly services: ServiceNftDesired;
  /** IP → identity (nft value text). */
  readonly ipcache: ReadonlyMap<string, string>;
  /** Endpoint IP → its policy set elements. */
  readonly policy: ReadonlyMap<string, EndpointPolicyElements>;
}

/** What the table holds, in the same form (the applier's shadow, or parsed from the kernel). */
export interface NftTableState {
  readonly services: ServiceNftState;
  readonly ipcache: ReadonlyMap<string, string>;
  readonly policy: ReadonlyMap<string, EndpointPolicyElements>;
}

export interface IpcacheChanges {
  /** Elements added (a changed identity counts as one added and one removed). */
  readonly added: number;
  readonly removed: number;
}

export interface NftTableChanges {
  readonly services: ServicePlanChanges;
  readonly ipcache: IpcacheChanges;
  readonly policy: PolicyPlanChanges;
}

export interface NftTablePlan {
  /** The element and chain commands of the transaction (the static table is the applier's to add on a full resync). */
  readonly lines: readonly string[];
  readonly changes: NftTableChanges;
}

const TABLE = `${NFT_FAMILY} ${NFT_TABLE}`;

export function emptyTableState(): NftTableState {
  return { services: emptyServiceState(), ipcache: new Map(), policy: new Map() };
}

export function planTableSync(desired: NftTableDesired, current: NftTableState): NftTablePlan {
  const services = planServiceSync(desired.services, current.services);
  const ipcache = diffElements(current.ipcache, desired.ipcache);
  const policy = planPolicySync(desired.policy, current.policy);
  return {
    lines: [...services.lines, ...elementCommands(TABLE, IPCACHE, ipcache), ...policy.lines],
    changes: { services: services.changes, ipcache: { added: ipcache.add.length, removed: ipcache.remove.length }, policy: policy.changes },
  };
}

/** The state once a plan for `desired` applied: the applier's next shadow (shares `desired`'s maps). */
export function tableStateAfter(desired: NftTableDesired): NftTableState {
  return { services: serviceStateAfter(desired.services), ipcache: desired.ipcache, policy: desired.policy };
}

/** The desired table of a node without services, ipcache entries or policies (every element removed). */
export function emptyTableDesired(): NftTableDesired {
  return { services: compileServices([]), ipcache: new Map(), policy: new Map() };
}
